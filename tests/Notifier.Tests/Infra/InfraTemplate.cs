namespace Notifier.Tests.Infra;

/// <summary>The committed infra/ templates, read once.</summary>
internal static class InfraTemplate
{
    public const string QueueType = "Microsoft.ServiceBus/namespaces/queues";

    public static IReadOnlyList<BicepFile> Files { get; } = [.. RepositoryLayout.BicepFiles.Select(BicepFile.Load)];

    public static BicepFile Main { get; } = File("main.bicep");

    public static BicepFile FunctionApp { get; } = File("functionapp.bicep");

    public static BicepFile ServiceBus { get; } = File("servicebus.bicep");

    public static BicepFile KeyVault { get; } = File("keyvault.bicep");

    public static BicepFile Storage { get; } = File("storage.bicep");

    public static BicepFile Monitoring { get; } = File("monitoring.bicep");

    /// <summary>Queue symbolic name → queue name, for every queue infra creates.</summary>
    public static IReadOnlyDictionary<string, string> Queues { get; } = ServiceBus.Resources
        .Where(r => r.Type == QueueType)
        .ToDictionary(r => r.Symbol, r => r.LiteralName ?? throw new InvalidOperationException($"queue '{r.Symbol}' has no literal name"));

    /// <summary>
    /// Every app setting infra writes (in any branch of a conditional): keys that contain <c>__</c> or are
    /// all capitals (APPLICATIONINSIGHTS_CONNECTION_STRING), with the expression that sets each.
    /// </summary>
    public static IReadOnlyDictionary<string, BicepSpan> AppSettings { get; } = ReadAppSettings();

    /// <summary>The default of the main template parameter whose value infra writes to <paramref name="setting"/>.</summary>
    public static BicepSpan DefaultBehind(string setting)
    {
        var expression = AppSettings[setting].Expression;
        var parameterName = expression.StartsWith("string(", StringComparison.Ordinal) ? expression[7..^1] : expression;
        var parameter = Main.Parameter(parameterName)
            ?? throw new InvalidOperationException($"{setting} is set from '{expression}', not from a main.bicep parameter");
        return parameter.Default ?? throw new InvalidOperationException($"parameter '{parameterName}' behind {setting} has no default");
    }

    private static BicepFile File(string name) =>
        Files.Single(f => Path.GetFileName(f.Path) == name);

    private static Dictionary<string, BicepSpan> ReadAppSettings()
    {
        var settings = new Dictionary<string, BicepSpan>(StringComparer.Ordinal);
        foreach (var entry in new[] { Main, FunctionApp }.SelectMany(f => f.ObjectEntries()))
        {
            if (entry.Key.Contains("__", StringComparison.Ordinal) || entry.Key.All(c => char.IsUpper(c) || char.IsDigit(c) || c == '_'))
            {
                settings.TryAdd(entry.Key, entry.Value);
            }
        }

        return settings;
    }
}
