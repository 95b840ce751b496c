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
    private readonly EventParser _parser = new();
    private readonly RecipientResolver _resolver = new();
    private byte[] _canonicalOpened = [];
    private byte[] _canonicalComment = [];
    private byte[] _bitbucketOpened = [];
    private NotificationEvent _parsedComment = null!;

    [GlobalSetup]
    public void Setup()
    {
        var root = FindRoot();
        _canonicalOpened = File.ReadAllBytes(Path.Combine(root, "samples", "events", "pullrequest.opened.json"));
        _canonicalComment = File.ReadAllBytes(Path.Combine(root, "samples", "events", "pullrequest.comment.added.json"));
        _bitbucketOpened = File.ReadAllBytes(Path.Combine(root, "samples", "bitbucket", "pr_opened.json"));
        _parsedComment = _parser.Parse(_canonicalComment).Event ?? throw new InvalidOperationException("sample does not parse");
    }

    [Benchmark(Baseline = true)]
    public NotificationEvent? ParseCanonicalPullRequestOpened() => _parser.Parse(_canonicalOpened).Event;

    [Benchmark]
    public NotificationEvent? ParseCanonicalCommentAdded() => _parser.Parse(_canonicalComment).Event;

    [Benchmark]
    public NotificationEvent? ParseBitbucketPullRequestOpened() => _parser.Parse(_bitbucketOpened).Event;

    [Benchmark]
    public RecipientSet ResolveCommentRecipients() => _resolver.Resolve(_parsedComment);

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
