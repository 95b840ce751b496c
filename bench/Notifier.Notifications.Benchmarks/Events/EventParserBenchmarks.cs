using BenchmarkDotNet.Attributes;
using Notifier.Notifications.Events;
using Notifier.Notifications.Recipients;

namespace Notifier.Notifications.Benchmarks.Events;

/// <summary>
/// The event half of the per-email budget (≤ 50 µs for parse + recipients + render + MIME): parsing a canonical
/// sample and a real Bitbucket capture, and resolving recipients.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class EventParserBenchmarks
{
    private readonly EventParser parser = new();
    private readonly RecipientResolver resolver = new();
    private byte[] canonicalOpened = [];
    private byte[] canonicalComment = [];
    private byte[] bitbucketOpened = [];
    private NotificationEvent parsedComment = null!;

    [GlobalSetup]
    public void Setup()
    {
        var root = FindRoot();
        canonicalOpened = File.ReadAllBytes(Path.Combine(root, "samples", "events", "pullrequest.opened.json"));
        canonicalComment = File.ReadAllBytes(Path.Combine(root, "samples", "events", "pullrequest.comment.added.json"));
        bitbucketOpened = File.ReadAllBytes(Path.Combine(root, "samples", "bitbucket", "pr_opened.json"));
        parsedComment = parser.Parse(canonicalComment).Event ?? throw new InvalidOperationException("sample does not parse");
    }

    [Benchmark(Baseline = true)]
    public NotificationEvent? ParseCanonicalPullRequestOpened() => parser.Parse(canonicalOpened).Event;

    [Benchmark]
    public NotificationEvent? ParseCanonicalCommentAdded() => parser.Parse(canonicalComment).Event;

    [Benchmark]
    public NotificationEvent? ParseBitbucketPullRequestOpened() => parser.Parse(bitbucketOpened).Event;

    [Benchmark]
    public RecipientSet ResolveCommentRecipients() => resolver.Resolve(parsedComment);

    private static string FindRoot()
    {
        for (var directory = AppContext.BaseDirectory; directory is not null; directory = Path.GetDirectoryName(directory))
        {
            if (File.Exists(Path.Combine(directory, "Notifier.sln")))
            {
                return directory;
            }
        }

        // BenchmarkDotNet runs the benchmark from a generated project under bin/; fall back to the working directory.
        return Directory.GetCurrentDirectory();
    }
}
