using System.Text.Json;

namespace Notifier.Functions;

/// <summary>JSON settings for the host protocol and for the bodies functions answer with.</summary>
internal static class InvocationJson
{
    /// <summary>
    /// The answer to the host. Minimal escaping: the answer carries the rejected envelope as a string, and the
    /// default encoder would write each quote and non-ASCII character in it as a 6-byte \uXXXX. Only the host
    /// reads the answer.
    /// </summary>
    public static JsonWriterOptions Answer { get; } = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>camelCase for bodies people read (the test-email report, rejected envelopes).</summary>
    public static JsonSerializerOptions Web { get; } = new(JsonSerializerDefaults.Web) { WriteIndented = false };
}
