using Microsoft.Extensions.Logging;
using Notifier.Notifications.Delivery;
using Notifier.Notifications.Events;
using Notifier.Notifications.Recipients;
using Notifier.Notifications.Rendering;
using Notifier.Smtp;
using Notifier.Smtp.Messages;

namespace Notifier.Notifications.Tests.Delivery;

/// <summary>A pipeline with the real parser, policy, resolver and renderer and a substitute transport.</summary>
internal sealed class PipelineFixture : IDisposable
{
    public static readonly Uri BaseUrl = new("https://git.example.com/");

    public PipelineFixture(IMailTransport transport)
    {
        var options = new NotificationOptions { BaseUrl = BaseUrl, SubjectPrefix = "[Bitbucket]" };
        Metrics = new DeliveryMetrics();
        Pipeline = new DeliveryPipeline(
            new EventParser(),
            new EventPolicy(options),
            new RecipientResolver(),
            new EmailRenderer(options, new Mailbox("noreply@example.com", "Code Review")),
            transport,
            Metrics,
            Logger);
    }

    public DeliveryPipeline Pipeline { get; }

    public DeliveryMetrics Metrics { get; }

    public CapturingLogger<DeliveryPipeline> Logger { get; } = new();

    public static byte[] Sample(string type) => File.ReadAllBytes(Path.Combine(RepositoryRoot(), "samples", "events", type + ".json"));

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

    public void Dispose() => Metrics.Dispose();
}

/// <summary>Keeps every formatted log line, so tests can check what reaches the log (and what never does).</summary>
internal sealed class CapturingLogger<T> : ILogger<T>
{
    private readonly List<(LogLevel Level, EventId Id, string Text)> _entries = [];

    public IReadOnlyList<(LogLevel Level, EventId Id, string Text)> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_entries)
        {
            _entries.Add((logLevel, eventId, formatter(state, exception) + (exception is null ? string.Empty : " " + exception)));
        }
    }
}
