using System.Text.Json;

namespace Notifier.Benchmarks;

/// <summary>
/// The .NET runtime knobs every deployment gets as app settings (the <c>DOTNET_*</c> values of
/// local.settings.json.example, which infra sets alike): the handler is measured as it runs in Azure.
/// </summary>
internal static class RuntimeSettings
{
    public static IReadOnlyDictionary<string, string> Deployed()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Paths.RepositoryRoot(), "local.settings.json.example")));
        return document.RootElement.GetProperty("Values").EnumerateObject()
            .Where(v => v.Name.StartsWith("DOTNET_", StringComparison.Ordinal))
            .ToDictionary(v => v.Name, v => v.Value.GetString() ?? "", StringComparer.Ordinal);
    }
}
