namespace Notifier.Tests.Infra;

/// <summary>Where the files the infra tests compare live in this repository.</summary>
internal static class RepositoryLayout
{
    private static readonly string[] IgnoredFolders = ["bin", "obj", ".git", "node_modules", "TestResults", "artifacts", "outbox", "publish", "dist", "out"];

    /// <summary>The folder that holds Notifier.sln, found upwards from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    public static string Infra => Path.Combine(Root, "infra");

    public static string MainBicep => Path.Combine(Infra, "main.bicep");

    public static string ParametersFile => Path.Combine(Infra, "main.parameters.json");

    public static string DeployGuide => Path.Combine(Root, "docs", "deploy.md");

    /// <summary>Every .bicep file under infra/ (main and modules).</summary>
    public static IReadOnlyList<string> BicepFiles =>
        [.. Directory.EnumerateFiles(Infra, "*.bicep", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];

    /// <summary>The app's function.json files: one folder per function under src/ (test fixtures elsewhere do not count).</summary>
    public static IReadOnlyList<string> FunctionManifests => FindFiles(Path.Combine(Root, "src"), "function.json");

    /// <summary>The app's host.json, at the repository root (issue 5).</summary>
    public static string HostFile => Path.Combine(Root, "host.json");

    /// <summary>The app's local.settings.json.example, at the repository root.</summary>
    public static string LocalSettingsExample => Path.Combine(Root, "local.settings.json.example");

    public static string Relative(string path) => Path.GetRelativePath(Root, path);

    private static List<string> FindFiles(string under, string fileName)
    {
        var found = new List<string>();
        var pending = new Stack<string>();
        pending.Push(under);
        while (pending.Count > 0)
        {
            var folder = pending.Pop();
            found.AddRange(Directory.EnumerateFiles(folder, fileName));
            foreach (var child in Directory.EnumerateDirectories(folder))
            {
                if (!IgnoredFolders.Contains(Path.GetFileName(child), StringComparer.Ordinal)
                    && !Path.GetFileName(child).StartsWith('.'))
                {
                    pending.Push(child);
                }
            }
        }

        found.Sort(StringComparer.Ordinal);
        return found;
    }

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Notifier.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"Notifier.sln not found above {AppContext.BaseDirectory}.");
    }
}
