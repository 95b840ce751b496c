using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Notifier.Invocations;

namespace Notifier.Webhooks;

/// <summary>
/// The HTTP request in an HTTP trigger's invocation (<c>Data.req</c>), as the Functions host builds it
/// (azure-functions-host, <c>HttpRequestExtensions.GetRequestAsJObject</c>): <c>Url</c>, <c>Method</c>,
/// <c>Query</c> (a JSON string), <c>Headers</c> (name → array of values), <c>Params</c>, <c>Identities</c>, and
/// <c>Body</c> only when Content-Length &gt; 0: the body read as text, or base64 of its bytes for
/// <c>application/octet-stream</c> and <c>multipart/*</c>.
/// </summary>
internal sealed class WebhookRequest
{
    private readonly Dictionary<string, string> _headers;

    private WebhookRequest(Dictionary<string, string> headers, byte[] body)
    {
        _headers = headers;
        Body = body;
    }

    /// <summary>The body's bytes: the UTF-8 encoding of the text the host read (what Bitbucket signed).</summary>
    public byte[] Body { get; }

    /// <summary>A header's first value; names compare ignoring case (front ends may lower-case them).</summary>
    public string? Header(string name) => _headers.GetValueOrDefault(name);

    public static WebhookRequest? Read(JsonElement? value)
    {
        if (value is not { } raw || HostValue.AsObject(raw) is not { } request)
        {
            return null;
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (Invocation.TryGet(request, "Headers") is { } headerValue && HostValue.AsObject(headerValue) is { } headerObject)
        {
            foreach (var header in headerObject.EnumerateObject())
            {
                if (FirstValue(header.Value) is { } first)
                {
                    headers.TryAdd(header.Name, first);
                }
            }
        }

        var body = Invocation.TryGet(request, "Body") is { } bodyValue ? ReadBody(bodyValue, headers.GetValueOrDefault("Content-Type")) : [];
        return new WebhookRequest(headers, body);
    }

    private static string? FirstValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Array => value.EnumerateArray().Select(HostValue.AsString).FirstOrDefault(v => v is not null),
        JsonValueKind.String => value.GetString(),
        _ => null,
    };

    private static byte[] ReadBody(JsonElement value, string? contentType)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                // A String element's GetString is never null.
                var text = value.GetString() ?? string.Empty;
                if (IsBinary(contentType))
                {
                    try
                    {
                        return Convert.FromBase64String(text);
                    }
                    catch (FormatException)
                    {
                        return Encoding.UTF8.GetBytes(text);
                    }
                }

                return Encoding.UTF8.GetBytes(text);
            case JsonValueKind.Null or JsonValueKind.Undefined:
                return [];
            default:
                // Very old hosts handed a JSON body over parsed; its text is then no longer what was signed.
                return Encoding.UTF8.GetBytes(value.GetRawText());
        }
    }

    private static bool IsBinary(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media) && media.MediaType is { } type
        && (type.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase) || type.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase));
}
