using BenchmarkDotNet.Attributes;
using MimeKit;
using Notifier.Notifications.Events;
using Notifier.Notifications.Recipients;
using Notifier.Notifications.Rendering;
using Notifier.Smtp.Messages;

namespace Notifier.Notifications.Benchmarks;

/// <summary>
/// What one queue message costs before it reaches the SMTP connection: parse the sample, resolve its
/// recipients, render one email per recipient, build each as a MimeKit message and write it as it goes on
/// the wire to a server that offers 8BITMIME (8bit bodies, CRLF; MailKit dot-stuffs while writing, not
/// measured here), then dispose it. The pull-request-opened sample
/// yields 2 emails (its two reviewers), the comment sample 3 (author, reviewer, participant; the actor is left
/// out), so the time per email is the median divided by that count (printed at setup). Target: render + MIME
/// 100 µs per email.
/// The job runs in process, with 5 warm-ups and 12 iterations, so a run takes a few minutes on a shared machine
/// (see <see cref="ShortInProcessConfig"/>).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[Config(typeof(ShortInProcessConfig))]
public class PipelineBenchmarks : IDisposable
{
    private readonly EventParser _parser = new();
    private readonly RecipientResolver _resolver = new();
    private readonly EmailRenderer _renderer = new(
        new NotificationOptions { BaseUrl = new Uri("https://git.example.com/"), SubjectPrefix = "[Bitbucket]" },
        new Mailbox("noreply@example.com", "Code Review"));

    private byte[] _opened = [];
    private byte[] _comment = [];
    private NotificationEvent _openedEvent = null!;
    private RecipientSet _openedRecipients = null!;
    private IReadOnlyList<EmailMessage> _openedMessages = [];

    [GlobalSetup]
    public void Setup()
    {
        _opened = File.ReadAllBytes(Sample("pullrequest.opened"));
        _comment = File.ReadAllBytes(Sample("pullrequest.comment.added"));
        _openedEvent = _parser.Parse(_opened).Event ?? throw new InvalidOperationException("the opened sample does not parse");
        _openedRecipients = _resolver.Resolve(_openedEvent);
        _openedMessages = _renderer.Render(_openedEvent, _openedRecipients);
        var commentEvent = _parser.Parse(_comment).Event ?? throw new InvalidOperationException("the comment sample does not parse");
        // The in-process job starts measuring whichever benchmark comes first while its methods are still
        // tier-0 code; run the whole path until the JIT has promoted it, so the first row is not penalised.
        for (var i = 0; i < 2_000; i++)
        {
            Pipeline(_opened);
            Pipeline(_comment);
        }

        Thread.Sleep(500);
        Console.WriteLine($"// emails per event: pullrequest.opened {_openedMessages.Count}, pullrequest.comment.added {_renderer.Render(commentEvent, _resolver.Resolve(commentEvent)).Count}");
    }

    [Benchmark(Baseline = true, Description = "opened: parse+recipients+render+MIME")]
    public int OpenedPipeline() => Pipeline(_opened);

    [Benchmark(Description = "comment: parse+recipients+render+MIME")]
    public int CommentPipeline() => Pipeline(_comment);

    [Benchmark(Description = "opened: render only")]
    public int OpenedRenderOnly() => _renderer.Render(_openedEvent, _openedRecipients).Count;

    [Benchmark(Description = "opened: MIME only")]
    public int OpenedMimeOnly()
    {
        var bytes = 0;
        foreach (var message in _openedMessages)
        {
            bytes += WireBytes(message);
        }

        return bytes;
    }

    private int Pipeline(byte[] body)
    {
        var parsed = _parser.Parse(body);
        var recipients = _resolver.Resolve(parsed.Event!);
        var bytes = 0;
        foreach (var message in _renderer.Render(parsed.Event!, recipients))
        {
            bytes += WireBytes(message);
        }

        return bytes;
    }

    /// <summary>
    /// What the transport does with a message: build it, prepare it for a server that offers 8BITMIME, write it
    /// out (into a reused buffer, as MailKit writes into its connection's buffer), dispose it.
    /// </summary>
    private int WireBytes(EmailMessage message)
    {
        using var mime = MimeMessageBuilder.Build(message);
        mime.Prepare(EncodingConstraint.EightBit, 998);
        _wire.SetLength(0);
        mime.WriteTo(WireFormat, _wire);
        return (int)_wire.Length;
    }

    private readonly MemoryStream _wire = new(64 * 1024);

    public void Dispose()
    {
        _wire.Dispose();
        GC.SuppressFinalize(this);
    }

    private static readonly FormatOptions WireFormat = CreateWireFormat();

    private static FormatOptions CreateWireFormat()
    {
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        return format;
    }

    private static string Sample(string type)
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var directory = start; directory is not null; directory = Path.GetDirectoryName(directory))
            {
                var path = Path.Combine(directory, "samples", "events", type + ".json");
                if (File.Exists(path))
                {
                    return path;
                }
            }
        }

        throw new FileNotFoundException($"samples/events/{type}.json not found above {Directory.GetCurrentDirectory()}");
    }
}
