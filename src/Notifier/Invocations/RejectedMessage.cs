using System.Text;
using System.Text.Json.Serialization;

namespace Notifier.Invocations;

/// <summary>
/// What goes to the <c>rejected-events</c> queue. A custom handler can set only the body of an output
/// message (no application properties), so the reason travels in an envelope with the original body:
/// <c>body</c> holds it unchanged as text when it is UTF-8 (nearly always, and readable in any queue
/// explorer), <c>bodyBase64</c> holds the exact bytes otherwise. One of the two, never both, keeps the
/// envelope close to the original size. A body that would make the envelope larger than the queue takes is
/// kept whole in a blob instead (<c>bodyBlob</c>, <c>bodySize</c>, <c>bodySha256</c>), or, when storage cannot
/// take it, sent truncated with <c>bodyTruncated</c> and the reason (Rejections/RejectedEnvelope.cs). To
/// replay, send <c>body</c> (or the decoded <c>bodyBase64</c>, or the blob) to <c>queue</c>.
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

    /// <summary>The original body's size in bytes, when it is not (whole) in the envelope.</summary>
    [JsonPropertyName("bodySize")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? BodySize { get; init; }

    /// <summary>SHA-256 (lowercase hex) of the original body, when it is not (whole) in the envelope.</summary>
    [JsonPropertyName("bodySha256")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? BodySha256 { get; init; }

    /// <summary>The blob holding the whole body, when it did not fit the envelope.</summary>
    [JsonPropertyName("bodyBlob")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Rejections.StoredBody? BodyBlob { get; init; }

    /// <summary>True when <see cref="Body"/> (or <see cref="BodyBase64"/>) holds only the start of the body.</summary>
    [JsonPropertyName("bodyTruncated")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? BodyTruncated { get; init; }

    /// <summary>Why the body is truncated: it did not fit and could not be stored.</summary>
    [JsonPropertyName("bodyTruncatedReason")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? BodyTruncatedReason { get; init; }

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
