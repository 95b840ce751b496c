using System.Net;
using System.Text.Json;

namespace Notifier.Tests.Support;

/// <summary>The handler's answer to one invocation, read the way the host reads it.</summary>
internal sealed record InvocationAnswer(HttpStatusCode Status, JsonElement Json)
{
    public JsonElement Outputs => Json.GetProperty("Outputs");

    public IReadOnlyList<string> Logs => [.. Json.GetProperty("Logs").EnumerateArray().Select(l => l.GetString()!)];

    public string? Outcome => Json.GetProperty("ReturnValue").GetProperty("outcome").GetString();

    /// <summary>The rejected-events message (the envelope) when there is one.</summary>
    public JsonElement? Rejected =>
        Outputs.TryGetProperty("rejected", out var value) ? JsonDocument.Parse(value.GetString()!).RootElement : null;

    public static async Task<InvocationAnswer> PostAsync(HttpClient client, string path, string invocation)
    {
        using var content = new StringContent(invocation, System.Text.Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        return new InvocationAnswer(response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }
}
