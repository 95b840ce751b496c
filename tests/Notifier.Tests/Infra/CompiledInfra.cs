using System.Text.Json;

namespace Notifier.Tests.Infra;

/// <summary>
/// infra/ compiled once per test run by the real Bicep compiler (<see cref="BicepCli"/>), and the main
/// template evaluated (<see cref="ArmDeployment"/>) with infra/main.parameters.json, or with overrides.
/// Use <see cref="Deployment"/> / <see cref="Deploy"/> and the views in <see cref="InfraViews"/> to test
/// what a deployment creates; use <see cref="Files"/> for rules about how each file is written.
/// </summary>
internal static class CompiledInfra
{
    private static readonly Lazy<Compilation> Compiled = new(Compile);

    /// <summary>The compiler's run over every .bicep file under infra/ (it also lints: the rules are errors).</summary>
    public static BicepRun Build => Compiled.Value.Build;

    /// <summary>Every .bicep file under infra/ with its compiled template.</summary>
    public static IReadOnlyList<CompiledBicepFile> Files => Compiled.Value.Files;

    public static CompiledBicepFile Main => File("main.bicep");

    /// <summary>The values infra/main.parameters.json gives.</summary>
    public static IReadOnlyDictionary<string, object?> ParametersFile => Compiled.Value.ParametersFile;

    /// <summary>main.bicep deployed with infra/main.parameters.json and every other parameter at its default.</summary>
    public static ArmDeployment Deployment => Compiled.Value.Deployment;

    /// <summary>main.bicep deployed with only the required parameters (from infra/main.parameters.json): every default in force.</summary>
    public static ArmDeployment Defaults => ArmDeployment.Evaluate(
        Main.Template,
        ParametersFile.Where(p => Main.IsRequired(p.Key)).ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase));

    /// <summary>
    /// main.bicep deployed with every optional value given: each optional string parameter whose default is
    /// empty gets a sample text, each int whose default is 0 gets 1, each empty array one sample item (plus <paramref name="overrides"/>). The
    /// settings and resources that only exist when a value is given then all appear.
    /// </summary>
    public static ArmDeployment DeployWithEveryOption(params (string Name, object? Value)[] overrides)
    {
        var samples = Main.Parameters.Keys
            .Where(p => !Main.IsRequired(p) && !ParametersFile.ContainsKey(p))
            .Select(p => (Name: p, Type: Main.TypeOf(p), Default: Main.Parameters[p].GetProperty("defaultValue")))
            .Select(p => (p.Name, Value: p.Type switch
            {
                "string" when p.Default.ValueKind == JsonValueKind.String && p.Default.GetString() == string.Empty => (object?)$"sample-{p.Name}",
                "int" when p.Default.ValueKind == JsonValueKind.Number && p.Default.GetInt64() == 0 => 1,
                "array" when p.Default.ValueKind == JsonValueKind.Array && p.Default.GetArrayLength() == 0 => new[] { $"sample-{p.Name}" },
                _ => null,
            }))
            .Where(p => p.Value is not null);
        return Deploy([.. samples, .. overrides]);
    }

    /// <summary>
    /// main.bicep deployed with infra/main.parameters.json plus <paramref name="overrides"/>, e.g.
    /// <c>Deploy(("pullRequestProducerPrincipalIds", new[] { "p1" }))</c>; values are plain .NET values.
    /// </summary>
    public static ArmDeployment Deploy(params (string Name, object? Value)[] overrides)
    {
        var parameters = new Dictionary<string, object?>(ParametersFile, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in overrides)
        {
            parameters[name] = ArmValues.FromClr(value);
        }

        return ArmDeployment.Evaluate(Main.Template, parameters);
    }

    /// <summary>The compiled file whose name (e.g. <c>servicebus.bicep</c>) is <paramref name="fileName"/>.</summary>
    public static CompiledBicepFile File(string fileName) =>
        Files.Single(f => Path.GetFileName(f.SourcePath) == fileName);

    private static Compilation Compile()
    {
        var output = Directory.CreateTempSubdirectory("notifier-bicep-").FullName;
        try
        {
            var build = BicepCli.Build(RepositoryLayout.Infra, output);
            if (build.ExitCode != 0)
            {
                throw new InvalidOperationException($"bicep build of infra/ failed (exit {build.ExitCode}):\n{build.Output}");
            }

            var files = RepositoryLayout.BicepFiles.Select(source =>
            {
                var json = Path.Combine(output, Path.ChangeExtension(Path.GetRelativePath(RepositoryLayout.Infra, source), ".json"));
                using var document = JsonDocument.Parse(System.IO.File.ReadAllText(json));
                return new CompiledBicepFile(source, System.IO.File.ReadAllText(source), document.RootElement.Clone());
            }).ToList();

            using var parametersFile = JsonDocument.Parse(System.IO.File.ReadAllText(RepositoryLayout.ParametersFile));
            var parameters = parametersFile.RootElement.GetProperty("parameters").EnumerateObject()
                .ToDictionary(p => p.Name, p => ArmValues.FromLiteral(p.Value.GetProperty("value")), StringComparer.OrdinalIgnoreCase);
            var main = files.Single(f => Path.GetFileName(f.SourcePath) == "main.bicep");
            return new Compilation(build, files, parameters, ArmDeployment.Evaluate(main.Template, parameters));
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    private sealed record Compilation(
        BicepRun Build, IReadOnlyList<CompiledBicepFile> Files, IReadOnlyDictionary<string, object?> ParametersFile, ArmDeployment Deployment);
}
