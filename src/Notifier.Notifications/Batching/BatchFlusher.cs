using Microsoft.Extensions.Logging;
using Notifier.Notifications.Delivery;
using Notifier.Notifications.Events;
using Notifier.Notifications.Recipients;
using Notifier.Notifications.Rendering;
using Notifier.Smtp;
using Notifier.Smtp.Messages;

namespace Notifier.Notifications.Batching;

/// <summary>
/// Sends every due digest (FlushBatches, <c>notifier flush</c>): finds them through the store's due-time
/// index, claims each one with a conditional write (so two instances flushing at once send it once), renders
/// it from the stored events and sends it. A digest whose send fails is dropped whole and logged with the
/// reason and its item count: never retried, like every other email.
/// </summary>
public sealed class BatchFlusher
{
    private readonly IBatchStore _store;
    private readonly EventParser _parser;
    private readonly EmailRenderer _renderer;
    private readonly IMailTransport _transport;
    private readonly DeliveryMetrics _metrics;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<BatchFlusher> _logger;
    private readonly int _parallelism;

    public BatchFlusher(IBatchStore store, EventParser parser, EmailRenderer renderer, IMailTransport transport, DeliveryMetrics metrics, TimeProvider timeProvider, ILogger<BatchFlusher> logger, int parallelism = 4)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(parser);
        ArgumentNullException.ThrowIfNull(renderer);
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        _store = store;
        _parser = parser;
        _renderer = renderer;
        _transport = transport;
        _metrics = metrics;
        _timeProvider = timeProvider;
        _logger = logger;
        _parallelism = parallelism;
    }

    /// <summary>Sends the digests due now, or every waiting digest with <paramref name="all"/>.</summary>
    public async Task<FlushResult> FlushAsync(bool all, CancellationToken cancellationToken = default)
    {
        var now = _timeProvider.GetUtcNow();
        int digests = 0, items = 0, delivered = 0, dropped = 0;
        string? error = null;
        try
        {
            var options = new ParallelOptions { MaxDegreeOfParallelism = _parallelism, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(_store.FindDueAsync(now, all, cancellationToken), options, async (key, token) =>
            {
                if (await _store.ClaimAsync(key, now, all, token) is not { } batch)
                {
                    return;
                }

                var outcome = await SendAsync(batch, token);
                Interlocked.Increment(ref digests);
                Interlocked.Add(ref items, batch.Items.Count);
                Interlocked.Increment(ref outcome == DeliveryOutcome.Delivered ? ref delivered : ref dropped);
                try
                {
                    await _store.CompleteAsync(batch, token);
                }
                catch (BatchStoreUnavailableException ex)
                {
                    BatchLog.CompleteFailed(_logger, batch.Items[0].Thread, ex.Message);
                }
            });
        }
        catch (BatchStoreUnavailableException ex)
        {
            error = ex.Message;
            BatchLog.FlushFailed(_logger, ex.Message);
        }

        BatchLog.Flushed(_logger, digests, items, delivered, dropped);
        return new FlushResult(digests, items, delivered, dropped, error);
    }

    private async Task<DeliveryOutcome> SendAsync(ClaimedBatch batch, CancellationToken cancellationToken)
    {
        var first = batch.Items[0];
        var thread = first.Thread;
        var events = new List<NotificationEvent>(batch.Items.Count);
        foreach (var item in batch.Items)
        {
            var parsed = _parser.Parse(item.Body.Span, item.EventKey);
            if (parsed.IsSuccess)
            {
                events.Add(parsed.Event);
            }
            else
            {
                BatchLog.ItemUnreadable(_logger, item.EventId, thread, parsed.Error ?? "unreadable");
            }
        }

        var reason = string.Empty;
        if (events.Count > 0)
        {
            events.Sort((a, b) => a.Time.CompareTo(b.Time));
            var latest = batch.Items[^1];
            var user = new User(latest.RecipientAddress, latest.RecipientName, latest.RecipientAddress);
            var recipient = new Recipient(user, new Mailbox(latest.RecipientAddress, latest.RecipientName), latest.Reason);
            try
            {
                var message = _renderer.RenderDigest(events, recipient);
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                try
                {
                    var sent = await _transport.SendAsync(message, cancellationToken);
                    _metrics.EmailSent(System.Diagnostics.Stopwatch.GetElapsedTime(started), accepted: true);
                    _metrics.DigestFlushed(DeliveryOutcome.Delivered);
                    BatchLog.DigestSent(_logger, batch.Items.Count, thread, sent.ServerReply);
                    return DeliveryOutcome.Delivered;
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested)
                {
                    _metrics.EmailSent(System.Diagnostics.Stopwatch.GetElapsedTime(started), accepted: false);
                    throw;
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not OutOfMemoryException)
            {
                reason = DeliveryPipeline.DescribeFailure(ex);
            }
        }
        else
        {
            reason = "none of its events could be read again";
        }

        _metrics.DigestFlushed(DeliveryOutcome.Dropped);
        BatchLog.DigestDropped(_logger, batch.Items.Count, thread, reason);
        return DeliveryOutcome.Dropped;
    }
}
