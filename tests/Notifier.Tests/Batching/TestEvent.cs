using System.Text;
using System.Text.Json.Nodes;
using Notifier.Tests.Support;

namespace Notifier.Tests.Batching;

/// <summary>Sample events with their id and time changed, so one test can send several of one type.</summary>
internal static class TestEvent
{
    public static byte[] Sample(string type, string? id = null, DateTimeOffset? time = null, Action<JsonObject>? change = null)
    {
        var json = JsonNode.Parse(Repo.Sample(type))!.AsObject();
        if (id is not null)
        {
            json["id"] = id;
        }

        if (time is { } at)
        {
            json["time"] = at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        }

        change?.Invoke(json);
        return Encoding.UTF8.GetBytes(json.ToJsonString());
    }
}
