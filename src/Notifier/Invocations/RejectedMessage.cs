using System.Text;
using System.Text.Json.Serialization;

namespace Notifier.Invocations;

/// <summary>
/// What goes to the <c>rejected-events</c> queue. A custom handler can set only the body of an output
/// message (no application properties), so the reason travels in an envelope with the original body:
/// <c>body</c> holds it unchanged as text when it is UTF-8 (nearly always, and readable in any queue
/// explorer), <c>bodyBase64</c> holds the exact bytes otherwise. One of the two, never both, keeps the
/// envelope close to the original size (Service Bus limits message size). To replay, send <c>body</c> (or the
/// decoded <c>bodyBase64</c>) to <c>queue</c>.
/// </summary>
internal sealed record RejectedMessage
{
    [JsonPropertyName("reason")]
    public required string Reason { get; init; }

    [JsonPropertyName("queue")]
    public required string Queue { get; init; }

    [JsonPropertyName("function")]
    public required string Function { get; init; }

    [JsonPropertyName("messageId")]
    public string? MessageId { get; init; }

    [JsonPropertyName("eventId")]
    public string? EventId { get; init; }

    [JsonPropertyName("eventType")]
    public string? EventType { get; init; }

    [JsonPropertyName("eventKey")]
    public string? EventKey { get; init; }

    [JsonPropertyName("contentType")]
    public string? ContentType { get; init; }

    [JsonPropertyName("rejectedAt")]
    public required DateTimeOffset RejectedAt { get; init; }

    [JsonPropertyName("body")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Body { get; init; }

    [JsonPropertyName("bodyBase64")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? BodyBase64 { get; init; }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Sets <see cref="Body"/> or <see cref="BodyBase64"/> from the original bytes.</summary>
    public RejectedMessage WithBody(ReadOnlySpan<byte> body)
    {
        try
        {
            return this with { Body = StrictUtf8.GetString(body), BodyBase64 = null };
        }
        catch (DecoderFallbackException)
        {
            return this with { Body = null, BodyBase64 = Convert.ToBase64String(body) };
        }
    }
}
