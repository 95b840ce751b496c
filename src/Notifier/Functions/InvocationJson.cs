using System.Text.Json;

namespace Notifier.Functions;

/// <summary>Serializer settings for the host protocol: names exactly as the types declare them.</summary>
internal static class InvocationJson
{
    /// <summary>
    /// Minimal escaping: the answer carries the rejected envelope as a string, and the default encoder would
    /// write each quote and non-ASCII character in it as a 6-byte \uXXXX. Only the host reads the answer.
    /// </summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.General)
    {
        PropertyNamingPolicy = null,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        // Only the generated metadata: a value of a type not listed there fails in tests, not in production.
        TypeInfoResolver = InvocationJsonContext.Default,
    };

    /// <summary>camelCase for bodies people read (the test-email report, rejected envelopes).</summary>
    public static JsonSerializerOptions Web { get; } = new(JsonSerializerDefaults.Web) { WriteIndented = false };
}
