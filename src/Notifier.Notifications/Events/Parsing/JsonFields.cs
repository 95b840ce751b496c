using System.Text;
using System.Text.Json;

namespace Notifier.Notifications.Events.Parsing;

/// <summary>
/// Typed access to the properties of a JSON object with errors that name the field (<c>pullRequest.title:
/// required string</c>). Paths are only built when something is wrong, so the success path allocates nothing extra.
/// </summary>
internal static class JsonFields
{
    public static string Join(string path, string name) => path.Length == 0 ? name : string.Concat(path, ".", name);

    public static EventFormatException Fail(string path, string name, string problem) => new(Join(path, name), problem);

    public static JsonElement RequiredObject(JsonElement obj, string path, string name)
    {
        if (obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object)
        {
            return value;
        }

        throw Fail(path, name, Problem("required object", value, obj, name));
    }

    /// <summary>True when the object property is present; null and other kinds are errors.</summary>
    public static bool OptionalObject(JsonElement obj, string path, string name, out JsonElement value)
    {
        if (!obj.TryGetProperty(name, out value))
        {
            return false;
        }

        return value.ValueKind == JsonValueKind.Object ? true : throw Fail(path, name, $"expected an object, got {Describe(value)}");
    }

    /// <summary>Like <see cref="OptionalObject"/> but null counts as absent (Bitbucket sends null for some parts).</summary>
    public static bool OptionalObjectOrNull(JsonElement obj, string path, string name, out JsonElement value) =>
        obj.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null && OptionalObject(obj, path, name, out value);

    public static string RequiredString(JsonElement obj, string path, string name, bool allowEmpty = false)
    {
        if (obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
        {
            var text = Text(value, path, name);
            return text.Length > 0 || allowEmpty ? text : throw Fail(path, name, "must not be empty");
        }

        throw Fail(path, name, Problem("required string", value, obj, name));
    }

    /// <summary>A string that may be missing or null.</summary>
    public static string? OptionalString(JsonElement obj, string path, string name)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? Text(value, path, name) : throw Fail(path, name, $"expected a string or null, got {Describe(value)}");
    }

    /// <summary>A string that may be missing but, when present, must be a string (not null).</summary>
    public static string? OptionalStrictString(JsonElement obj, string path, string name)
    {
        if (!obj.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? Text(value, path, name) : throw Fail(path, name, $"expected a string, got {Describe(value)}");
    }

    public static long RequiredInteger(JsonElement obj, string path, string name, long minimum)
    {
        if (obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number)
        {
            return value.TryGetInt64(out var number) && number >= minimum
                ? number
                : throw Fail(path, name, $"expected an integer of at least {minimum}");
        }

        throw Fail(path, name, Problem("required integer", value, obj, name));
    }

    public static int? OptionalInteger(JsonElement obj, string path, string name, int minimum) =>
        (int?)OptionalLong(obj, path, name, minimum, int.MaxValue);

    public static long? OptionalLong(JsonElement obj, string path, string name, long minimum, long maximum = long.MaxValue)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number >= minimum && number <= maximum
            ? number
            : throw Fail(path, name, $"expected an integer of at least {minimum}, got {Describe(value)}");
    }

    /// <summary>A boolean that may be missing or null; anything else than true or false is an error.</summary>
    public static bool? OptionalBoolean(JsonElement obj, string path, string name)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Fail(path, name, $"expected true or false, got {Describe(value)}"),
        };
    }

    /// <summary>An array property, at most <see cref="EventLimits.MaxRecipients"/> entries; false when missing.</summary>
    public static bool OptionalArray(JsonElement obj, string path, string name, out JsonElement array, bool nullIsAbsent = false)
    {
        if (!obj.TryGetProperty(name, out array) || (nullIsAbsent && array.ValueKind == JsonValueKind.Null))
        {
            return false;
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            throw Fail(path, name, $"expected an array, got {Describe(array)}");
        }

        var count = array.GetArrayLength();
        return count <= EventLimits.MaxRecipients
            ? true
            : throw Fail(path, name, $"{count} entries; the limit is {EventLimits.MaxRecipients}");
    }

    /// <summary>Reads every entry of an array of objects with <paramref name="read"/>, naming a bad entry by its index.</summary>
    public static T[] ReadObjects<T>(JsonElement array, string path, string name, Func<JsonElement, string, T> read)
    {
        var result = new T[array.GetArrayLength()];
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            var itemPath = Item(path, name, index);
            result[index++] = item.ValueKind == JsonValueKind.Object
                ? read(item, itemPath)
                : throw new EventFormatException(itemPath, $"expected an object, got {Describe(item)}");
        }

        return result;
    }

    public static string Item(string path, string name, int index) => string.Concat(Join(path, name), "[", index.ToString(System.Globalization.CultureInfo.InvariantCulture), "]");

    /// <summary>A value for an error message: at most <paramref name="max"/> characters, control characters shown as escapes.</summary>
    public static string Printable(string value, int max = 64)
    {
        var builder = new StringBuilder(Math.Min(value.Length, max) + 8);
        foreach (var c in value.Length > max ? value[..max] : value)
        {
            _ = char.IsControl(c) || char.IsSurrogate(c) ? builder.Append($"\\u{(int)c:x4}") : builder.Append(c);
        }

        return value.Length > max ? builder.Append('…').ToString() : builder.ToString();
    }

    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Problem(string expected, JsonElement value, JsonElement obj, string name) =>
        obj.TryGetProperty(name, out _) ? $"{expected}, got {Describe(value)}" : expected;

    private static string Text(JsonElement value, string path, string name)
    {
        try
        {
            // The caller checked the kind is String, for which GetString never returns null.
            return value.GetString() ?? string.Empty;
        }
        catch (InvalidOperationException)
        {
            // Invalid UTF-8 inside a string, or an escaped lone surrogate ("\ud800"), passes the JSON reader but is not text.
            throw Fail(path, name, "not valid text (invalid UTF-8 or an unpaired surrogate)");
        }
    }
}
