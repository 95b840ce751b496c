using System.Globalization;
using System.Text.Json;

namespace Notifier.Tests.Infra;

/// <summary>
/// The values an evaluated template holds: <see cref="string"/>, <see cref="long"/>, <see cref="bool"/>, null,
/// objects (<see cref="Dictionary{TKey, TValue}"/> with ARM's case-insensitive keys), lists and
/// <see cref="ArmRuntimeValue"/>.
/// </summary>
internal static class ArmValues
{
    public static Dictionary<string, object?> NewObject() => new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A JSON value taken as it is (no expression is evaluated): parameter values.</summary>
    public static object? FromLiteral(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var number) ? number : (object)element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Array => element.EnumerateArray().Select(FromLiteral).ToList(),
        JsonValueKind.Object => element.EnumerateObject().Aggregate(NewObject(), (o, p) => { o[p.Name] = FromLiteral(p.Value); return o; }),
        _ => null,
    };

    /// <summary>Any .NET value a test passes as a parameter (string, int, bool, arrays, anonymous objects).</summary>
    public static object? FromClr(object? value) => value switch
    {
        null => null,
        JsonElement element => FromLiteral(element),
        _ => FromLiteral(JsonSerializer.SerializeToElement(value)),
    };

    /// <summary>The text ARM's <c>string()</c> and <c>format()</c> make of a value.</summary>
    public static string ToText(object? value) => value switch
    {
        null => string.Empty,
        string s => s,
        bool b => b ? "True" : "False",
        long n => n.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString(CultureInfo.InvariantCulture),
        ArmRuntimeValue r => r.Text,
        _ => JsonSerializer.Serialize(ToClr(value)),
    };

    /// <summary>The value as plain .NET collections, for serialising or for a test to compare.</summary>
    public static object? ToClr(object? value) => value switch
    {
        Dictionary<string, object?> o => o.ToDictionary(p => p.Key, p => ToClr(p.Value), StringComparer.OrdinalIgnoreCase),
        List<object?> l => l.Select(ToClr).ToList(),
        ArmRuntimeValue r => r.Text,
        _ => value,
    };

    public static bool IsEmpty(object? value) => value switch
    {
        null => true,
        string s => s.Length == 0,
        List<object?> l => l.Count == 0,
        Dictionary<string, object?> o => o.Count == 0,
        _ => false,
    };

    public static bool AreEqual(object? left, object? right) => (left, right) switch
    {
        (string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase),
        (long a, long b) => a == b,
        (bool a, bool b) => a == b,
        (null, null) => true,
        (ArmRuntimeValue a, ArmRuntimeValue b) => a.Text == b.Text,
        (List<object?> a, List<object?> b) => a.Count == b.Count && a.Zip(b).All(p => AreEqual(p.First, p.Second)),
        (Dictionary<string, object?> a, Dictionary<string, object?> b) =>
            a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var v) && AreEqual(p.Value, v)),
        _ => false,
    };

    /// <summary>ARM's <c>union</c>: objects merge key by key (nested objects recursively, the last value wins); arrays concatenate without duplicates.</summary>
    public static object? Union(IReadOnlyList<object?> values)
    {
        if (values.All(v => v is Dictionary<string, object?>))
        {
            var merged = NewObject();
            foreach (var value in values.Cast<Dictionary<string, object?>>())
            {
                foreach (var (key, item) in value)
                {
                    merged[key] = merged.TryGetValue(key, out var existing) && existing is Dictionary<string, object?> && item is Dictionary<string, object?>
                        ? Union([existing, item])
                        : item;
                }
            }

            return merged;
        }

        if (values.All(v => v is List<object?>))
        {
            var result = new List<object?>();
            foreach (var item in values.Cast<List<object?>>().SelectMany(l => l))
            {
                if (!result.Any(r => AreEqual(r, item)))
                {
                    result.Add(item);
                }
            }

            return result;
        }

        throw new NotSupportedException("union() of values that are neither all objects nor all arrays");
    }
}
