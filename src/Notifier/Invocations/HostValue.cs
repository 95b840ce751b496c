using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Notifier.Invocations;

/// <summary>
/// Reads values from the Functions host's invocation payload. The host sends some values as themselves and
/// others JSON-encoded a second time (a string holding <c>"\"abc\""</c> or <c>"{\"k\":1}"</c>; see
/// azure-functions-host issues 5815 and 6574), so every reader here accepts both forms.
/// </summary>
internal static class HostValue
{
    private const int MaxUnwrapDepth = 3;

    /// <summary>Follows JSON text inside strings (at most a few levels) to the value it encodes.</summary>
    public static JsonElement Unwrap(JsonElement value)
    {
        for (var depth = 0; depth < MaxUnwrapDepth && value.ValueKind == JsonValueKind.String; depth++)
        {
            // A String element's GetString is never null.
            var text = value.GetString() ?? string.Empty;
            var trimmed = text.AsSpan().TrimStart();
            if (trimmed.IsEmpty || trimmed[0] is not ('{' or '[' or '"'))
            {
                break;
            }

            try
            {
                using var document = JsonDocument.Parse(text);
                value = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                break;
            }
        }

        return value;
    }

    public static string? AsString(JsonElement value)
    {
        value = Unwrap(value);
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            _ => value.GetRawText(),
        };
    }

    public static int? AsInt(JsonElement value)
    {
        value = Unwrap(value);
        return value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetInt32(out var number) => number,
            JsonValueKind.String when int.TryParse(value.GetString(), out var parsed) => parsed,
            _ => null,
        };
    }

    /// <summary>The object a value holds or encodes; null when it is not an object.</summary>
    public static JsonElement? AsObject(JsonElement value)
    {
        value = Unwrap(value);
        return value.ValueKind == JsonValueKind.Object ? value : null;
    }

    /// <summary>
    /// The message body's bytes. With <c>"dataType": "binary"</c> (what our function.json asks for) the host
    /// sends base64 of the raw bytes; with the default string type it sends the body as text, possibly encoded
    /// once more, or (when the body is JSON) as the JSON value itself. Base64 never starts with '{', '[' or
    /// '"', so the forms cannot be confused for a JSON body.
    /// </summary>
    public static byte[] AsBody(JsonElement value)
    {
        // The usual case first, decoded straight from the UTF-8 JSON: no intermediate string of the whole
        // body. Only plain base64 as the host writes it (no whitespace, no escapes), as IsBase64 requires.
        if (value.ValueKind == JsonValueKind.String
            && IsPlainBase64(StringText(value))
            && value.TryGetBytesFromBase64(out var decoded))
        {
            return decoded;
        }

        for (var depth = 0; depth <= MaxUnwrapDepth; depth++)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.Null or JsonValueKind.Undefined:
                    return [];
                case JsonValueKind.String:
                    break;
                default:
                    // The host parsed a JSON body for us; its raw text is the original body.
                    return Encoding.UTF8.GetBytes(value.GetRawText());
            }

            // A String element's GetString is never null.
            var text = value.GetString() ?? string.Empty;
            var trimmed = text.AsSpan().TrimStart();
            if (!trimmed.IsEmpty && trimmed[0] == '"')
            {
                try
                {
                    using var document = JsonDocument.Parse(text);
                    value = document.RootElement.Clone();
                    continue;
                }
                catch (JsonException)
                {
                    return Encoding.UTF8.GetBytes(text);
                }
            }

            if (!trimmed.IsEmpty && trimmed[0] is not ('{' or '[') && IsBase64(text))
            {
                return Convert.FromBase64String(text);
            }

            return Encoding.UTF8.GetBytes(text);
        }

        return Encoding.UTF8.GetBytes(value.GetRawText());
    }

    /// <summary>The UTF-8 text of a JSON string value as it lies in the document, escapes and all, without its quotes.</summary>
    internal static ReadOnlySpan<byte> StringText(JsonElement value) => JsonMarshal.GetRawUtf8Value(value)[1..^1];

    /// <summary>Base64 exactly as the host writes it into JSON: no whitespace and no JSON escapes.</summary>
    internal static bool IsPlainBase64(ReadOnlySpan<byte> text) => text.IndexOfAny(" \t\r\n\\"u8) < 0 && Base64.IsValid(text);

    /// <summary>
    /// Base64 as the host writes it: no whitespace (which <see cref="Base64.IsValid(ReadOnlySpan{char})"/>
    /// would allow). A short text body without spaces that happens to be valid base64 is read as base64; our
    /// function.json asks for binary, so a text body only arrives if that setting was changed.
    /// </summary>
    private static bool IsBase64(string text) => text.AsSpan().IndexOfAny(" \t\r\n") < 0 && Base64.IsValid(text);
}
