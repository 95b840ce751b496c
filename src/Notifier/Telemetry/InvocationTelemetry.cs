using System.Diagnostics;

namespace Notifier.Telemetry;

/// <summary>
/// One internal span per invocation, child of the host's request when the host passed a <c>traceparent</c>,
/// and the log scope that stamps every log line of the invocation with the function and the Service Bus
/// message id. Internal, not server: the host already records the invocation as a request. With no
/// telemetry configured nothing listens, so both cost one check.
/// </summary>
internal static class InvocationTelemetry
{
    public const string SourceName = "Notifier";

    private static readonly ActivitySource Source = new(SourceName);

    public static Activity? Start(string functionName, HttpContext context, string? messageId)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!Source.HasListeners())
        {
            return null;
        }

        ActivityContext.TryParse(context.Request.Headers.TraceParent, context.Request.Headers.TraceState, out var parent);
        var activity = Source.StartActivity(functionName, ActivityKind.Internal, parent);
        activity?.SetTag("faas.name", functionName);
        if (messageId is not null)
        {
            activity?.SetTag("messaging.message.id", messageId);
        }

        return activity;
    }

    /// <summary>The log scope of an invocation, only while a span is recorded (that is, when telemetry is on).</summary>
    public static IDisposable? BeginScope(ILogger logger, Activity? activity, string functionName, string? messageId)
    {
        ArgumentNullException.ThrowIfNull(logger);
        return activity is null
            ? null
            : logger.BeginScope(new Dictionary<string, object>(StringComparer.Ordinal)
            {
                ["FunctionName"] = functionName,
                // Not "MessageId": log lines use that name for an email's Message-ID too.
                ["ServiceBusMessageId"] = messageId ?? "unknown",
            });
    }

    /// <summary>Records how the invocation ended; a dropped event or a refused invocation marks the span failed.</summary>
    public static void End(Activity? activity, string outcome, string? eventType, string? failure)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag("notifier.outcome", outcome);
        if (eventType is not null)
        {
            activity.SetTag("notifier.event.type", eventType);
        }

        if (failure is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, failure);
        }
    }
}
