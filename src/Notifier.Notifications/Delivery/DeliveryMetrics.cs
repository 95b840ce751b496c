using System.Diagnostics.Metrics;

namespace Notifier.Notifications.Delivery;

/// <summary>
/// Counters for the delivery pipeline (System.Diagnostics.Metrics, meter <c>Notifier</c>): events by outcome
/// and type, send latency, and the SMTP pool size when the transport reports it. Exported by whatever
/// listens (OpenTelemetry, <c>dotnet-counters monitor -n notifier --counters Notifier</c>).
/// </summary>
public sealed class DeliveryMetrics : IDisposable
{
    public const string MeterName = "Notifier";

    private readonly Meter _meter;
    private readonly Counter<long> _events;
    private readonly Histogram<double> _sendDuration;
    private readonly Counter<long> _sendFailures;
    private readonly Counter<long> _digests;

    public DeliveryMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _events = _meter.CreateCounter<long>("notifier.events", "{event}", "Events handled, by outcome and type.");
        _sendDuration = _meter.CreateHistogram<double>("notifier.send.duration", "ms", "Time to hand one email to the mail server.");
        _sendFailures = _meter.CreateCounter<long>("notifier.send.failures", "{email}", "Emails the mail server did not take.");
        _digests = _meter.CreateCounter<long>("notifier.digests", "{digest}", "Digests flushed, by outcome (delivered or dropped).");
    }

    /// <summary>Counts one finished event.</summary>
    public void EventHandled(DeliveryOutcome outcome, string? eventType) =>
        _events.Add(1, new KeyValuePair<string, object?>("outcome", OutcomeTag(outcome)), new KeyValuePair<string, object?>("type", eventType ?? "unknown"));

    /// <summary>Counts one digest taken out of the store, sent or dropped.</summary>
    public void DigestFlushed(DeliveryOutcome outcome) =>
        _digests.Add(1, new KeyValuePair<string, object?>("outcome", OutcomeTag(outcome)));

    /// <summary>Records one send attempt.</summary>
    public void EmailSent(TimeSpan elapsed, bool accepted)
    {
        _sendDuration.Record(elapsed.TotalMilliseconds, new KeyValuePair<string, object?>("accepted", accepted));
        if (!accepted)
        {
            _sendFailures.Add(1);
        }
    }

    /// <summary>
    /// Publishes the transport's idle pooled connections as <c>notifier.smtp.pool.idle</c>; called once at
    /// start-up by the code that creates the pool.
    /// </summary>
    public void ObservePoolSize(Func<int> idleConnections)
    {
        ArgumentNullException.ThrowIfNull(idleConnections);
        _meter.CreateObservableGauge("notifier.smtp.pool.idle", idleConnections, "{connection}", "Pooled SMTP connections open and ready for reuse.");
    }

    public void Dispose() => _meter.Dispose();

    public static string OutcomeTag(DeliveryOutcome outcome) => outcome switch
    {
        DeliveryOutcome.Delivered => "delivered",
        DeliveryOutcome.Dropped => "dropped",
        DeliveryOutcome.Batched => "batched",
        _ => "rejected",
    };
}
