namespace Notifier.Tests.Support;

/// <summary>Paths in the repository the tests read (samples, host.json, function.json).</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    public static byte[] Sample(string type) => File.ReadAllBytes(Path("samples", "events", type + ".json"));

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Notifier.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Notifier.sln not found above " + AppContext.BaseDirectory);
    }
}
