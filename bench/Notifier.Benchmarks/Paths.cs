namespace Notifier.Benchmarks;

/// <summary>Where the repository and the published binaries are.</summary>
internal static class Paths
{
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Notifier.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Notifier.sln not found above " + AppContext.BaseDirectory);
    }
}
