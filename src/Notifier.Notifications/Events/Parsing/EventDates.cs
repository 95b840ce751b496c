using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Notifier.Notifications.Events.Parsing;

/// <summary>
/// Dates in events. Canonical events use RFC 3339 with an offset (the schema's pattern, checked the same way
/// here). Bitbucket sends <c>2019-03-01T10:31:15+0100</c> (no colon in the offset) and epoch milliseconds.
/// </summary>
internal static partial class EventDates
{
    private const string Expected = "not a date (expected RFC 3339 with an offset, e.g. 2026-11-21T09:30:00Z)";

    public static DateTimeOffset RequiredCanonical(JsonElement obj, string path, string name)
    {
        var text = JsonFields.RequiredString(obj, path, name, allowEmpty: true);
        return CanonicalPattern().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            ? time
            : throw JsonFields.Fail(path, name, Expected);
    }

    public static DateTimeOffset RequiredBitbucket(JsonElement obj, string path, string name)
    {
        if (obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number)
        {
            return value.TryGetInt64(out var millis) && millis is >= -62_135_596_800_000 and <= 253_402_300_799_999
                ? DateTimeOffset.FromUnixTimeMilliseconds(millis)
                : throw JsonFields.Fail(path, name, "not a date (epoch milliseconds out of range)");
        }

        var text = JsonFields.RequiredString(obj, path, name, allowEmpty: true);
        var match = BitbucketPattern().Match(text);
        if (!match.Success)
        {
            throw JsonFields.Fail(path, name, "not a date (expected ISO 8601 such as 2019-03-01T10:31:15+0100, or epoch milliseconds)");
        }

        // Bitbucket writes the offset without a colon; .NET wants one.
        var offset = match.Groups["offset"].Value;
        var normal = offset.Length == 5 ? string.Concat(text.AsSpan(0, match.Groups["offset"].Index), offset.AsSpan(0, 3), ":", offset.AsSpan(3)) : text;
        return DateTimeOffset.TryParse(normal, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            ? time
            : throw JsonFields.Fail(path, name, "not a date");
    }

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,7})?(Z|[+-][0-9]{2}:[0-9]{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex CanonicalPattern();

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,7})?(?<offset>Z|[+-][0-9]{2}:?[0-9]{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex BitbucketPattern();
}
