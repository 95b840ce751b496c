using System.Globalization;
using System.Reflection;

namespace Notifier.Settings;

/// <summary>
/// A time setting given as a bare number means seconds (<c>Mail__ConnectTimeout=30</c> is 30 seconds). The
/// configuration binder alone would read "30" as 30 days (TimeSpan's "d" format), which turns a timeout into a
/// month-long hang; every TimeSpan setting goes through here before binding.
/// </summary>
internal static class TimeSpanSettings
{
    /// <summary>
    /// Rewrites the values of <paramref name="settings"/> (keys relative to an options object of type
    /// <paramref name="optionsType"/>, nested sections separated by ':') whose property is a TimeSpan and whose
    /// value is a plain number of seconds into TimeSpan text; everything else passes unchanged.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string?>> ReadBareNumbersAsSeconds(Type optionsType, IEnumerable<KeyValuePair<string, string?>> settings)
    {
        foreach (var (key, value) in settings)
        {
            yield return new(key, IsTimeSpan(optionsType, key) && ToTimeSpanText(value) is { } text ? text : value);
        }
    }

    /// <summary>"30" or "2.5" (seconds) as TimeSpan text; null when the value is not a bare number.</summary>
    public static string? ToTimeSpanText(string? value)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Contains(':', StringComparison.Ordinal)
            || !double.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
            || seconds > TimeSpan.MaxValue.TotalSeconds)
        {
            return null;
        }

        return TimeSpan.FromSeconds(seconds).ToString("c", CultureInfo.InvariantCulture);
    }

    private static bool IsTimeSpan(Type optionsType, string key)
    {
        var type = optionsType;
        foreach (var name in key.Split(':'))
        {
            var property = type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null)
            {
                return false;
            }

            type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        }

        return type == typeof(TimeSpan);
    }
}
