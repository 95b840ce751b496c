namespace Notifier.Telemetry;

/// <summary>Log lines about telemetry export itself.</summary>
internal static partial class TelemetryLog
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "Exporting metrics, logs and traces to Application Insights, signed in with {SignsInWith}")]
    public static partial void Exporting(ILogger logger, string signsInWith);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Error, Message = "{Problem}")]
    public static partial void Refused(ILogger logger, string problem);
}
