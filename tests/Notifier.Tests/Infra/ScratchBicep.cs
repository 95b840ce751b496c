using System.Text.Json;

namespace Notifier.Tests.Infra;

/// <summary>
/// Small .bicep files written to a temporary folder and run through the real compiler with infra's
/// bicepconfig.json: the broken templates that show each infra rule can fail.
/// </summary>
internal sealed class ScratchBicep : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("notifier-bicep-scratch-");

    public ScratchBicep(params (string FileName, string Source)[] files)
    {
        foreach (var (fileName, source) in files)
        {
            var path = Path.Combine(_folder.FullName, fileName);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, source);
        }
    }

    private static string Config => Path.Combine(RepositoryLayout.Infra, "bicepconfig.json");

    /// <summary>Lints every file with infra's linter settings.</summary>
    public BicepRun Lint() => BicepCli.Lint(_folder.FullName, Config);

    /// <summary>Compiles every file with infra's linter settings; the run, and the templates when it succeeded.</summary>
    public (BicepRun Run, IReadOnlyList<CompiledBicepFile> Files) Build()
    {
        var output = Path.Combine(_folder.FullName, "out");
        var run = BicepCli.Build(_folder.FullName, output, Config);
        if (run.ExitCode != 0)
        {
            return (run, []);
        }

        var files = Directory.EnumerateFiles(_folder.FullName, "*.bicep", SearchOption.AllDirectories)
            .Where(f => !f.StartsWith(output, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(source =>
            {
                var json = Path.Combine(output, Path.ChangeExtension(Path.GetRelativePath(_folder.FullName, source), ".json"));
                using var document = JsonDocument.Parse(File.ReadAllText(json));
                return new CompiledBicepFile(source, File.ReadAllText(source), document.RootElement.Clone());
            });
        return (run, [.. files]);
    }

    /// <summary>Compiles the one file given and fails the test if the compiler refuses it.</summary>
    public CompiledBicepFile BuildSingle()
    {
        var (run, files) = Build();
        return run.ExitCode == 0 && files.Count == 1 ? files[0] : throw new InvalidOperationException($"scratch template did not compile:\n{run.Output}");
    }

    public void Dispose() => _folder.Delete(recursive: true);
}
