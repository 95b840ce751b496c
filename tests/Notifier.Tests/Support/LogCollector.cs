using Microsoft.Extensions.Logging;

namespace Notifier.Tests.Support;

/// <summary>Keeps every log entry written through it, for tests that check what an admin would read.</summary>
internal sealed class LogCollector : ILoggerProvider
{
    private readonly List<(LogLevel Level, int EventId, string Message)> _entries = [];

    public IReadOnlyList<(LogLevel Level, int EventId, string Message)> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCollector collector) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (collector._entries)
            {
                collector._entries.Add((logLevel, eventId.Id, formatter(state, exception)));
            }
        }
    }
}
