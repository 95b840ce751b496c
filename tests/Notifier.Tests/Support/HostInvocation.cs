using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Notifier.Tests.Support;

/// <summary>How the Functions host encodes the message body and metadata in an invocation.</summary>
public enum HostEncoding
{
    /// <summary><c>dataType: binary</c>: base64 body; metadata values as themselves.</summary>
    Binary,

    /// <summary>String trigger: the body as text and every metadata value JSON-encoded once more (as the host does).</summary>
    JsonEncodedStrings,
}

/// <summary>Builds invocation payloads shaped like the Functions host's.</summary>
internal static class HostInvocation
{
    public static string ServiceBus(byte[] body, string? messageId, HostEncoding encoding, string? eventKey = null, int deliveryCount = 1)
    {
        var properties = new JsonObject();
        if (eventKey is not null)
        {
            properties["X-Event-Key"] = eventKey;
        }

        JsonObject metadata;
        JsonNode message;
        if (encoding == HostEncoding.Binary)
        {
            message = Convert.ToBase64String(body);
            metadata = new JsonObject
            {
                ["MessageId"] = messageId,
                ["DeliveryCount"] = deliveryCount,
                ["ContentType"] = "application/json",
                ["ApplicationProperties"] = properties,
                ["sys"] = new JsonObject { ["MethodName"] = "PullRequestEvents", ["UtcNow"] = "2026-11-22T03:00:00Z" },
            };
        }
        else
        {
            message = Encoding.UTF8.GetString(body);
            metadata = new JsonObject
            {
                ["MessageId"] = JsonSerializer.Serialize(messageId),
                ["DeliveryCount"] = deliveryCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["ContentType"] = "\"application/json\"",
                ["ApplicationProperties"] = properties.ToJsonString(),
                ["sys"] = "{\"MethodName\":\"PullRequestEvents\"}",
            };
        }

        return new JsonObject { ["Data"] = new JsonObject { ["message"] = message }, ["Metadata"] = metadata }.ToJsonString();
    }

    /// <summary>An HTTP trigger invocation (enableForwardingHttpRequest false) with the body as the host sends it: a string.</summary>
    public static string Http(string body, bool bodyAsObject = false) =>
        new JsonObject
        {
            ["Data"] = new JsonObject
            {
                ["req"] = new JsonObject
                {
                    ["Url"] = "https://notifier.azurewebsites.net/api/mail/test",
                    ["Method"] = "POST",
                    ["Query"] = new JsonObject(),
                    ["Headers"] = new JsonObject { ["Content-Type"] = new JsonArray("application/json") },
                    ["Params"] = new JsonObject(),
                    ["Body"] = bodyAsObject ? JsonNode.Parse(body) : body,
                },
            },
            ["Metadata"] = new JsonObject(),
        }.ToJsonString();
}
