using System.Text.Json.Serialization;

namespace Notifier.Invocations;

/// <summary>The value of an HTTP output binding (<c>Outputs.res</c>): the response the host sends to the caller.</summary>
internal sealed record HttpOutput(
    [property: JsonPropertyName("statusCode")] int StatusCode,
    [property: JsonPropertyName("body")] string Body,
    [property: JsonPropertyName("headers")] IReadOnlyDictionary<string, string> Headers)
{
    public static HttpOutput Json(int statusCode, string body) =>
        new(statusCode, body, new Dictionary<string, string> { ["Content-Type"] = "application/json; charset=utf-8" });
}
