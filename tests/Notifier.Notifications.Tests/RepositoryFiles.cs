namespace Notifier.Notifications.Tests;

/// <summary>Files checked into the repository that the tests read: the schema, the samples, the Bitbucket captures.</summary>
internal static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string Schema => Path.Combine(Root, "schemas", "event.schema.json");

    public static string SamplesDirectory => Path.Combine(Root, "samples", "events");

    public static string BitbucketDirectory => Path.Combine(Root, "samples", "bitbucket");

    public static string Sample(string type) => Path.Combine(SamplesDirectory, type + ".json");

    public static byte[] SampleBytes(string type) => File.ReadAllBytes(Sample(type));

    public static byte[] Bitbucket(string name) => File.ReadAllBytes(Path.Combine(BitbucketDirectory, name));

    private static string FindRoot()
    {
        for (var directory = AppContext.BaseDirectory; directory is not null; directory = Path.GetDirectoryName(directory))
        {
            if (File.Exists(Path.Combine(directory, "Notifier.sln")))
            {
                return directory;
            }
        }

        throw new InvalidOperationException($"Notifier.sln not found above {AppContext.BaseDirectory}");
    }
}
