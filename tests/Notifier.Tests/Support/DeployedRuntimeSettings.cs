using System.Text.Json;

namespace Notifier.Tests.Support;

/// <summary>
/// The .NET runtime knobs every deployment gets as app settings: the <c>DOTNET_*</c> values of
/// local.settings.json.example, which infra sets alike (a test keeps them equal). Tests and benchmarks start
/// <c>notifier serve</c> with them, so the handler runs as it does in Azure.
/// </summary>
internal static class DeployedRuntimeSettings
{
    public static IReadOnlyDictionary<string, string?> Read(string localSettingsExample)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(localSettingsExample));
        return document.RootElement.GetProperty("Values").EnumerateObject()
            .Where(v => v.Name.StartsWith("DOTNET_", StringComparison.Ordinal))
            .ToDictionary(v => v.Name, v => v.Value.GetString(), StringComparer.Ordinal);
    }
}
