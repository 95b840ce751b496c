using System.Text.Json;

namespace Notifier.Invocations;

/// <summary>The value of an HTTP output binding (<c>Outputs.res</c>): the response the host sends to the caller.</summary>
internal sealed record HttpOutput(int StatusCode, string Body, IReadOnlyDictionary<string, string> Headers)
{
    public static HttpOutput Json(int statusCode, string body) =>
        new(statusCode, body, new Dictionary<string, string> { ["Content-Type"] = "application/json; charset=utf-8" });

    /// <summary><c>{"statusCode": …, "body": …, "headers": {name: value}}</c>.</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteNumber("statusCode", StatusCode);
        writer.WriteString("body", Body);
        writer.WriteStartObject("headers");
        foreach (var (name, value) in Headers)
        {
            writer.WriteString(name, value);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
