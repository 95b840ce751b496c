using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Notifier.Invocations;

namespace Notifier.Rejections;

/// <summary>
/// Turns a rejected message into the envelope sent to <c>rejected-events</c>, never larger than
/// <see cref="RejectedOptions.MaxEnvelopeBytes"/>: the body inline when it fits; otherwise the whole body as a
/// blob (name, size and SHA-256 in the envelope); and if storage cannot take it, the body truncated to fit, with
/// <c>bodyTruncated</c>, the reason, and the full size and SHA-256, so nothing is lost silently.
/// </summary>
internal sealed class RejectedEnvelope
{
    /// <summary>
    /// Minimal escaping: a quote costs 2 bytes and non-ASCII text stays UTF-8, instead of the default encoder's
    /// 6-byte \uXXXX for both. The envelope is read by queue tools and people, never embedded in HTML.
    /// </summary>
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    /// <summary>Header values come from producers; each is capped so the body always has room.</summary>
    private const int MaxFieldChars = 1024;

    private readonly RejectedOptions _options;
    private readonly RejectedBodyStore _store;
    private readonly ILogger<RejectedEnvelope> _logger;

    public RejectedEnvelope(RejectedOptions options, RejectedBodyStore store, ILogger<RejectedEnvelope> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options;
        _store = store;
        _logger = logger;
    }

    /// <summary>The envelope's JSON text for <paramref name="message"/> with <paramref name="body"/>.</summary>
    public async Task<string> CreateAsync(RejectedMessage message, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var header = Capped(message);
        // A body larger than the envelope cannot fit inline, so it is never turned into text whole (a 2.5 MB
        // body would cost several copies); only a prefix is, if it comes to truncating.
        if (body.Length <= _options.MaxEnvelopeBytes)
        {
            var text = JsonSerializer.Serialize(header.WithBody(body.Span), Json);
            if (Encoding.UTF8.GetByteCount(text) <= _options.MaxEnvelopeBytes)
            {
                return text;
            }
        }

        var sha256 = Convert.ToHexStringLower(SHA256.HashData(body.Span));
        var messageId = header.MessageId ?? "unknown";
        var described = header with { BodySize = body.Length, BodySha256 = sha256 };
        var (stored, problem) = await _store.StoreAsync(BlobName(header, sha256), body, header.ContentType, cancellationToken);
        if (stored is not null)
        {
            RejectionLog.BodyStored(_logger, messageId, body.Length, _options.MaxEnvelopeBytes, stored.Container, stored.Name, sha256);
            return JsonSerializer.Serialize(described with { BodyBlob = stored }, Json);
        }

        RejectionLog.BodyNotStored(_logger, messageId, body.Length, sha256, _options.MaxEnvelopeBytes, _store.ContainerName, problem ?? "unknown");
        var truncated = described with
        {
            BodyTruncated = true,
            BodyTruncatedReason = $"the body ({body.Length} bytes) does not fit the {_options.MaxEnvelopeBytes}-byte envelope and could not be stored in blob container {_store.ContainerName}: {problem}",
        };
        return Truncate(truncated, truncated.WithBody(Prefix(body.Span, _options.MaxEnvelopeBytes)));
    }

    /// <summary>At most <paramref name="maxBytes"/> of the body, not ending inside a UTF-8 sequence.</summary>
    private static ReadOnlySpan<byte> Prefix(ReadOnlySpan<byte> body, int maxBytes)
    {
        if (body.Length <= maxBytes)
        {
            return body;
        }

        var end = maxBytes;
        // Back off over continuation bytes (10xxxxxx) to the start of the last sequence, then drop it.
        for (var i = 0; i < 3 && end > 0 && (body[end] & 0xC0) == 0x80; i++)
        {
            end--;
        }

        return body[..end];
    }

    /// <summary>The longest prefix of the inline body (text or base64) for which the envelope fits.</summary>
    private string Truncate(RejectedMessage truncated, RejectedMessage inline)
    {
        var isText = inline.Body is not null;
        var full = inline.Body ?? inline.BodyBase64 ?? string.Empty;
        RejectedMessage With(string prefix) => isText ? truncated with { Body = prefix, BodyBase64 = null } : truncated with { Body = null, BodyBase64 = prefix };

        var budget = _options.MaxEnvelopeBytes - Encoding.UTF8.GetByteCount(JsonSerializer.Serialize(With(string.Empty), Json));
        var length = Math.Min(full.Length, Math.Max(0, budget));
        for (var attempt = 0; ; attempt++)
        {
            length = isText ? WholeCharacters(full, length) : length - (length % 4);
            var text = JsonSerializer.Serialize(With(full[..length]), Json);
            var size = Encoding.UTF8.GetByteCount(text);
            if (size <= _options.MaxEnvelopeBytes || length == 0 || attempt == 20)
            {
                return size <= _options.MaxEnvelopeBytes ? text : JsonSerializer.Serialize(With(string.Empty), Json);
            }

            // Shrink in proportion to the overshoot (escapes make some characters cost up to 6 bytes).
            var bodyBytes = Math.Max(1, size - (_options.MaxEnvelopeBytes - budget));
            length = (int)(length * ((double)budget / bodyBytes) * 0.98);
        }
    }

    /// <summary>Never cuts a surrogate pair in half.</summary>
    private static int WholeCharacters(string text, int length) =>
        length > 0 && length < text.Length && char.IsHighSurrogate(text[length - 1]) ? length - 1 : length;

    private static RejectedMessage Capped(RejectedMessage message) => message with
    {
        Reason = Cap(message.Reason),
        MessageId = Cap(message.MessageId),
        EventId = Cap(message.EventId),
        EventType = Cap(message.EventType),
        EventKey = Cap(message.EventKey),
        ContentType = Cap(message.ContentType),
    };

    [return: NotNullIfNotNull(nameof(value))]
    private static string? Cap(string? value) => value is { Length: > MaxFieldChars } ? value[..MaxFieldChars] + "…" : value;

    /// <summary>queue/yyyy/MM/dd/messageId-sha: grouped by queue and day for browsing, unique per body.</summary>
    private static string BlobName(RejectedMessage message, string sha256)
    {
        var id = message.MessageId is { Length: > 0 } messageId
            ? new string([.. messageId.Take(100).Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_')])
            : "no-message-id";
        return $"{message.Queue}/{message.RejectedAt:yyyy'/'MM'/'dd}/{id}-{sha256[..16]}";
    }
}
