using Microsoft.Extensions.Logging;

namespace Notifier.Smtp.Resilience;

/// <summary>The circuit breaker's log lines: when it opens, when a probe fails, when it closes.</summary>
internal static partial class CircuitBreakerLog
{
    [LoggerMessage(EventId = 2400, Level = LogLevel.Warning,
        Message = "The mail server {Server} failed {Failures} times in a row ({Reason}); sends fail fast until {RetryAt:HH:mm:ss} UTC, then one send tries it again")]
    public static partial void Opened(ILogger logger, string server, int failures, string reason, DateTimeOffset retryAt);

    [LoggerMessage(EventId = 2401, Level = LogLevel.Warning,
        Message = "The mail server {Server} still fails ({Reason}); sends fail fast until {RetryAt:HH:mm:ss} UTC")]
    public static partial void ProbeFailed(ILogger logger, string server, string reason, DateTimeOffset retryAt);

    [LoggerMessage(EventId = 2402, Level = LogLevel.Information,
        Message = "The mail server {Server} answers again; sends go through normally ({FastFailed} send(s) failed fast while it was down)")]
    public static partial void Closed(ILogger logger, string server, long fastFailed);
}
