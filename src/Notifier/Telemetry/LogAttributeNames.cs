using OpenTelemetry;
using OpenTelemetry.Logs;

namespace Notifier.Telemetry;

/// <summary>
/// Keeps the exporter's <c>EventId</c> dimension for the log event id (1000 delivered, 1002 dropped...): the
/// outcome lines also carry the notification's own id as a <c>{EventId}</c> value, which would take that
/// name's place in Application Insights; it is renamed <c>NotificationEventId</c> on the way out.
/// </summary>
internal sealed class LogAttributeNames : BaseProcessor<LogRecord>
{
    public const string NotificationEventId = "NotificationEventId";

    public override void OnEnd(LogRecord data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Attributes is { } attributes && attributes.Any(a => a.Key == "EventId"))
        {
            data.Attributes = [.. attributes.Select(a => a.Key == "EventId" ? new KeyValuePair<string, object?>(NotificationEventId, a.Value) : a)];
        }
    }
}
