using System.Text.Json;

namespace Notifier.Functions;

/// <summary>Serializer settings for the host protocol: names exactly as the types declare them.</summary>
internal static class InvocationJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.General) { PropertyNamingPolicy = null };

    /// <summary>camelCase for bodies people read (the test-email report, rejected envelopes).</summary>
    public static JsonSerializerOptions Web { get; } = new(JsonSerializerDefaults.Web) { WriteIndented = false };
}
