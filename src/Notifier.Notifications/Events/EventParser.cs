using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Notifier.Notifications.Events.Parsing;

namespace Notifier.Notifications.Events;

/// <summary>
/// Reads a canonical event or a Bitbucket Data Center webhook body. Never throws for bad input: every
/// problem becomes <see cref="EventParseResult.Error"/>, naming the field and what is wrong with it.
/// </summary>
/// <remarks>
/// A body with <c>specVersion</c> is canonical; otherwise a body with an <c>eventKey</c> property is a
/// Bitbucket webhook, a body with <c>type</c> is canonical, and any other body is read as Bitbucket when the
/// caller passes the message's <c>X-Event-Key</c>, and as canonical otherwise. Limits: <see cref="EventLimits"/>.
/// </remarks>
public sealed class EventParser
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        MaxDepth = EventLimits.MaxDepth,
        // A second "type" or "recipients" could make two readers of the same body disagree; refuse it.
        AllowDuplicateProperties = false,
    };

    /// <param name="utf8Body">The message body.</param>
    /// <param name="eventKey">A Bitbucket <c>X-Event-Key</c> from the message's properties, when there is one.</param>
    public EventParseResult Parse(ReadOnlySpan<byte> utf8Body, string? eventKey = null)
    {
        if (utf8Body.Length > EventLimits.MaxBodyBytes)
        {
            return EventParseResult.Failure(
                $"body is {Kilobytes(utf8Body.Length)} KB; the limit is {EventLimits.MaxBodyBytes / 1024} KB",
                eventType: eventKey is null ? null : BitbucketEventKeys.CanonicalTypeOf(eventKey));
        }

        if (utf8Body.StartsWith("\uFEFF"u8))
        {
            utf8Body = utf8Body[3..];
        }

        if (utf8Body.Trim(" \t\r\n"u8).IsEmpty)
        {
            return EventParseResult.Failure("body is empty");
        }

        // JsonDocument reads from memory it keeps until disposed; a pooled copy avoids one allocation per event.
        var buffer = ArrayPool<byte>.Shared.Rent(utf8Body.Length);
        var context = new ParseContext();
        try
        {
            utf8Body.CopyTo(buffer);
            using var document = JsonDocument.Parse(buffer.AsMemory(0, utf8Body.Length), DocumentOptions);
            return Read(document.RootElement, utf8Body, eventKey, context);
        }
        catch (JsonException exception)
        {
            return EventParseResult.Failure($"not JSON: {DescribeJsonError(exception)}");
        }
        catch (EventFormatException exception)
        {
            return EventParseResult.Failure(exception.Message, context.EventId, context.EventType);
        }
#pragma warning disable CA1031 // The contract is "never throws for bad input"; anything unforeseen is still a rejection.
        catch (Exception exception) when (exception is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            return EventParseResult.Failure($"unreadable event ({exception.GetType().Name})", context.EventId, context.EventType);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static EventParseResult Read(JsonElement root, ReadOnlySpan<byte> body, string? headerKey, ParseContext context)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return EventParseResult.Failure($"event: expected a JSON object, got {JsonFields.Describe(root)}");
        }

        // specVersion marks a canonical event even if a producer added an "eventKey" of its own; Bitbucket never sends one.
        var hasSpecVersion = root.TryGetProperty("specVersion", out _);
        var bodyKey = hasSpecVersion ? null : JsonFields.OptionalStrictString(root, "", "eventKey");
        var isCanonical = hasSpecVersion || (bodyKey is null && root.TryGetProperty("type", out _));
        var key = isCanonical ? null : bodyKey ?? headerKey;
        if (string.IsNullOrEmpty(key))
        {
            return EventParseResult.Success(CanonicalEventReader.Read(root, context));
        }

        // Bitbucket bodies carry no id; a hash of the body gives a stable one, so a redelivered message logs the same id.
        context.EventId = BitbucketEventId(body);
        context.EventType = key;
        var type = BitbucketEventKeys.CanonicalTypeOf(key);
        if (type is null && BitbucketEventKeys.IsWithoutEmail(key))
        {
            // Read in full all the same, so a broken body is rejected rather than silently dropped.
            BitbucketEventReader.Read(root, key, key, context.EventId);
            return EventParseResult.WithoutEmail($"Bitbucket sends no email for {key}", context.EventId, key);
        }

        if (type is null)
        {
            return EventParseResult.Failure($"Bitbucket event {JsonFields.Printable(key)} has no notification", context.EventId, key);
        }

        context.EventType = type;
        return EventParseResult.Success(BitbucketEventReader.Read(root, key, type, context.EventId));
    }

    private static string BitbucketEventId(ReadOnlySpan<byte> body)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(body, hash);
        return string.Concat("bitbucket-", Convert.ToHexStringLower(hash[..12]));
    }

    private static string DescribeJsonError(JsonException exception)
    {
        // The reader's message says what and where; it quotes at most one character or a property name of the input.
        var message = exception.Message;
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        var what = JsonFields.Printable(cut > 0 ? message[..cut] : message, 200);
        return exception.LineNumber is { } line && exception.BytePositionInLine is { } position
            ? string.Create(CultureInfo.InvariantCulture, $"{what} (line {line + 1}, byte {position + 1})")
            : what;
    }

    private static long Kilobytes(int bytes) => (bytes + 1023L) / 1024;
}
