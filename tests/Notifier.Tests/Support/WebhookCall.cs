using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Notifier.Webhooks;

namespace Notifier.Tests.Support;

/// <summary>
/// A Bitbucket webhook POST as the Functions host hands it to the custom handler: <c>Data.req</c> shaped as
/// azure-functions-host's <c>GetRequestAsJObject</c> builds it (Url, Method, Query as a JSON string, Headers as
/// name → array of values with the names as sent, Params, Identities as a JSON string, and Body as text only
/// when there is one; base64 of the bytes for octet-stream).
/// </summary>
internal sealed record WebhookCall(byte[] Body, string? EventKey, string? Signature, string ContentType = "application/json; charset=UTF-8", bool LowerCaseHeaderNames = false)
{
    public const string Secret = "s3cr3t-webhook-Key!";

    /// <summary>A call signed with <see cref="Secret"/> as Bitbucket signs it.</summary>
    public static WebhookCall Signed(byte[] body, string? eventKey) => new(body, eventKey, WebhookSignature.Sign(body, Secret));

    public static WebhookCall Capture(string file)
    {
        var body = File.ReadAllBytes(Repo.Path("samples", "bitbucket", file));
        var key = JsonDocument.Parse(body).RootElement.GetProperty("eventKey").GetString();
        return Signed(body, key);
    }

    public string Invocation()
    {
        var headers = new JsonObject
        {
            ["Accept"] = new JsonArray("*/*"),
            ["Host"] = new JsonArray("notifier-prod.azurewebsites.net"),
            ["User-Agent"] = new JsonArray("Atlassian HttpClient 4.2.0 / Bitbucket-9.4.1 (9004001) / Default"),
            ["Content-Type"] = new JsonArray(ContentType),
            ["X-Request-Id"] = new JsonArray("4bb4a8a2-6f2c-4c9e-9a5e-2a0f1c4f6d11"),
        };
        if (Body.Length > 0)
        {
            headers["Content-Length"] = new JsonArray(Body.Length.ToString(CultureInfo.InvariantCulture));
        }

        if (EventKey is not null)
        {
            headers["X-Event-Key"] = new JsonArray(EventKey);
        }

        if (Signature is not null)
        {
            headers["X-Hub-Signature"] = new JsonArray(Signature);
        }

        if (LowerCaseHeaderNames)
        {
            headers = new JsonObject(headers.Select(h => KeyValuePair.Create(h.Key.ToLowerInvariant(), h.Value?.DeepClone())));
        }

        var request = new JsonObject
        {
            ["Url"] = "https://notifier-prod.azurewebsites.net/api/bitbucket/webhook?code=function-key",
            ["Method"] = "POST",
            ["Query"] = "{\"code\":\"function-key\"}",
            ["Headers"] = headers,
            ["Params"] = new JsonObject(),
            ["Identities"] = "[{\"AuthenticationType\":\"WebJobsAuthLevel\",\"IsAuthenticated\":true,\"Actor\":null,\"BootstrapContext\":null,\"Claims\":[],\"Label\":null,\"Name\":null,\"NameClaimType\":\"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name\",\"RoleClaimType\":\"http://schemas.microsoft.com/ws/2008/06/identity/claims/role\"}]",
        };
        if (Body.Length > 0)
        {
            var binary = ContentType.StartsWith("application/octet-stream", StringComparison.Ordinal);
            request["Body"] = binary ? Convert.ToBase64String(Body) : Encoding.UTF8.GetString(Body);
        }

        var metadata = new JsonObject
        {
            ["Query"] = "{\"code\":\"function-key\"}",
            ["Headers"] = headers.ToJsonString(),
            ["sys"] = new JsonObject { ["MethodName"] = "BitbucketWebhook", ["UtcNow"] = "2026-11-29T20:00:00Z", ["RandGuid"] = "1d8f0f6e-33b1-4f0a-8d0b-5f3c7a9d1e22" },
        };
        return new JsonObject { ["Data"] = new JsonObject { ["req"] = request }, ["Metadata"] = metadata }.ToJsonString();
    }
}
