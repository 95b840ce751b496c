using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Notifier.Notifications.Batching;
using Notifier.Notifications.Events;
using Notifier.Notifications.Recipients;
using Notifier.Notifications.Rendering;
using Notifier.Smtp;

namespace Notifier.Notifications.Delivery;

/// <summary>
/// Takes one message body to exactly one outcome (docs/architecture.md): parse → check → recipients → render → send.
/// Used by the queue functions and by <c>notifier deliver</c>, so both behave the same. Bad events are
/// rejected, send failures dropped; only cancellation escapes, so that a host shutting down abandons the
/// message and Service Bus delivers it again.
/// </summary>
public sealed class DeliveryPipeline
{
    private readonly EventParser _parser;
    private readonly EventPolicy _policy;
    private readonly RecipientResolver _resolver;
    private readonly EmailRenderer _renderer;
    private readonly IMailTransport _transport;
    private readonly DeliveryMetrics _metrics;
    private readonly ILogger<DeliveryPipeline> _logger;
    private readonly BatchPolicy? _batchPolicy;
    private readonly IBatchStore? _batchStore;
    private readonly TimeProvider _timeProvider;

    /// <summary>
    /// A pipeline that puts events <paramref name="batchPolicy"/> says may wait into <paramref name="batchStore"/>
    /// (both null, the default: everything is sent at once).
    /// </summary>
    public DeliveryPipeline(
        EventParser parser,
        EventPolicy policy,
        RecipientResolver resolver,
        EmailRenderer renderer,
        IMailTransport transport,
        DeliveryMetrics metrics,
        ILogger<DeliveryPipeline> logger,
        BatchPolicy? batchPolicy = null,
        IBatchStore? batchStore = null,
        TimeProvider? timeProvider = null)
    {
        _batchPolicy = batchPolicy;
        _batchStore = batchStore;
        _timeProvider = timeProvider ?? TimeProvider.System;
        ArgumentNullException.ThrowIfNull(parser);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentNullException.ThrowIfNull(renderer);
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(logger);
        _parser = parser;
        _policy = policy;
        _resolver = resolver;
        _renderer = renderer;
        _transport = transport;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>
    /// Everything up to sending. <paramref name="expectedCategory"/> is the queue's category: an event of
    /// another category is rejected, so a producer allowed on one queue cannot trigger another kind of mail.
    /// </summary>
    public PreparedDelivery Prepare(ReadOnlySpan<byte> body, string? eventKey, EventCategory? expectedCategory)
    {
        var read = Read(body, eventKey, expectedCategory);
        // No event with an accepted read: valid, but mails nobody by design (a deleted comment).
        return read.IsRejected || read.Event is null ? read : Render(read.Event, read.Recipients);
    }

    /// <summary>Parse, check and recipients: everything before rendering.</summary>
    private PreparedDelivery Read(ReadOnlySpan<byte> body, string? eventKey, EventCategory? expectedCategory)
    {
        EventParseResult parsed;
        try
        {
            parsed = _parser.Parse(body, eventKey);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The parser promises not to throw; if it does, the body is still kept (rejected, not lost).
            return PreparedDelivery.Rejected($"the event could not be parsed ({ex.GetType().Name})", null, null);
        }

        if (parsed.IsWithoutEmail)
        {
            var category = BitbucketEventKeys.CategoryOf(parsed.EventType);
            return expectedCategory is { } queue && category != queue
                ? PreparedDelivery.Rejected(
                    $"a {parsed.EventType} event does not belong on this queue, which takes {Describe(queue)} events only", parsed.EventId, parsed.EventType)
                : PreparedDelivery.WithoutEmail(parsed.WithoutEmailReason, parsed.EventId, parsed.EventType);
        }

        if (!parsed.IsSuccess)
        {
            return PreparedDelivery.Rejected(parsed.Error ?? "the event could not be read", parsed.EventId, parsed.EventType);
        }

        var notificationEvent = parsed.Event;
        if (expectedCategory is { } expected && notificationEvent.Category != expected)
        {
            return PreparedDelivery.Rejected(
                $"{Article(notificationEvent.Type)} {notificationEvent.Type} event does not belong on this queue, which takes {Describe(expected)} events only",
                notificationEvent.Id,
                notificationEvent.Type);
        }

        try
        {
            var problem = _policy.Check(notificationEvent);
            if (problem is not null)
            {
                return PreparedDelivery.Rejected(problem, notificationEvent.Id, notificationEvent.Type);
            }

            return PreparedDelivery.Ready(notificationEvent, _resolver.Resolve(notificationEvent), []);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return CannotBeTurnedIntoEmail(notificationEvent, ex);
        }
    }

    private PreparedDelivery Render(NotificationEvent notificationEvent, RecipientSet recipients)
    {
        try
        {
            return PreparedDelivery.Ready(notificationEvent, recipients, _renderer.Render(notificationEvent, recipients));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return CannotBeTurnedIntoEmail(notificationEvent, ex);
        }
    }

    private static PreparedDelivery CannotBeTurnedIntoEmail(NotificationEvent notificationEvent, Exception ex)
    {
        // Exception text can quote event values; for account events those may include a password link,
        // so only the exception type is kept there.
        var detail = notificationEvent.Category == EventCategory.Account ? ex.GetType().Name : ex.Message;
        return PreparedDelivery.Rejected($"the event could not be turned into email: {detail}", notificationEvent.Id, notificationEvent.Type);
    }

    /// <summary>Prepares and sends one event; logs and counts the outcome.</summary>
    public Task<DeliveryResult> DeliverAsync(ReadOnlyMemory<byte> body, string? eventKey, EventCategory? expectedCategory, CancellationToken cancellationToken = default) =>
        DeliverAsync(body, eventKey, expectedCategory, messageId: null, cancellationToken);

    /// <summary>
    /// Prepares and sends one event, or puts it into the recipients' digests when batching says it may wait;
    /// logs and counts the outcome. If the batch store cannot be reached the event is sent at once.
    /// <paramref name="messageId"/> (the Service Bus message id) goes on every outcome line so an admin can
    /// find the message behind it.
    /// </summary>
    public async Task<DeliveryResult> DeliverAsync(ReadOnlyMemory<byte> body, string? eventKey, EventCategory? expectedCategory, string? messageId, CancellationToken cancellationToken = default)
    {
        var read = Read(body.Span, eventKey, expectedCategory);
        if (read.IsRejected)
        {
            var rejected = DeliveryResult.Rejected(read.RejectionReason, read.EventId, read.EventType);
            Record(rejected, null, messageId);
            return rejected;
        }

        if (read.Event is null)
        {
            // Valid, but mails nobody by design (a deleted comment): delivered with nobody to notify.
            var nobody = await SendAsync(read, messageId, cancellationToken);
            Record(nobody, read.Recipients, messageId);
            return nobody;
        }

        var notificationEvent = read.Event;
        var recipients = read.Recipients;
        var waiting = await BatchAsync(notificationEvent, recipients, body, eventKey, cancellationToken);
        if (waiting.Count > 0 && waiting.Count == recipients.Recipients.Count)
        {
            var batched = new DeliveryResult(DeliveryOutcome.Batched, null, notificationEvent.Id, notificationEvent.Type, recipients.Recipients.Count, 0, null, []) { Batched = waiting.Count };
            Record(batched, recipients, messageId);
            return batched;
        }

        var now = waiting.Count == 0 ? recipients : recipients with { Recipients = [.. recipients.Recipients.Where(r => !waiting.Contains(r))] };
        var prepared = Render(notificationEvent, now);
        var result = prepared.IsRejected
            ? DeliveryResult.Rejected(prepared.RejectionReason, prepared.EventId, prepared.EventType)
            : await SendAsync(prepared, messageId, cancellationToken) with { Batched = waiting.Count };
        Record(result, now, messageId);
        return result;
    }

    /// <summary>
    /// Adds the event to the digest of every recipient that may wait; returns those recipients. If the store
    /// cannot be reached nobody waits, so every email is sent now: late is fine, lost is not.
    /// </summary>
    private async Task<HashSet<Recipient>> BatchAsync(NotificationEvent e, RecipientSet recipients, ReadOnlyMemory<byte> body, string? eventKey, CancellationToken cancellationToken)
    {
        var waiting = new HashSet<Recipient>();
        if (_batchPolicy is null || _batchStore is null)
        {
            return waiting;
        }

        var candidates = new List<(Recipient Recipient, BatchItem Item)>();
        foreach (var recipient in recipients.Recipients)
        {
            if (_batchPolicy.ThreadOf(e, recipient) is { } thread)
            {
                candidates.Add((recipient, new BatchItem(thread, recipient.Mailbox.Address, recipient.Mailbox.DisplayName, recipient.Reason, e.Id, e.Type, e.Time, body, eventKey)));
            }
        }

        if (candidates.Count == 0)
        {
            return waiting;
        }

        // One call for every recipient: the store writes an event's items together, not one request per person.
        IReadOnlyList<bool> added;
        try
        {
            added = await _batchStore.AddAsync([.. candidates.Select(c => c.Item)], _timeProvider.GetUtcNow(), cancellationToken);
        }
        catch (BatchStoreUnavailableException unreachable)
        {
            BatchLog.StoreUnavailable(_logger, e.Id, e.Type, candidates.Count, unreachable.Message);
            return waiting;
        }

        var again = 0;
        for (var i = 0; i < candidates.Count; i++)
        {
            waiting.Add(candidates[i].Recipient);
            again += added[i] ? 0 : 1;
        }

        if (again > 0)
        {
            BatchLog.AlreadyWaiting(_logger, e.Id, e.Type, again);
        }

        return waiting;
    }

    private async Task<DeliveryResult> SendAsync(PreparedDelivery prepared, string? messageId, CancellationToken cancellationToken)
    {
        var recipientCount = prepared.Recipients?.Recipients.Count ?? 0;
        var sent = 0;
        string? serverReply = null;
        var failures = new List<string>();
        var refused = new List<RecipientRefusal>();
        foreach (var message in prepared.Messages)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                var result = await _transport.SendAsync(message, cancellationToken);
                _metrics.EmailSent(Stopwatch.GetElapsedTime(started), accepted: true);
                sent++;
                serverReply = result.ServerReply;
                refused.AddRange(result.Refused);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                _metrics.EmailSent(Stopwatch.GetElapsedTime(started), accepted: false);
                failures.Add(DescribeFailure(ex));
            }
        }

        var outcome = sent > 0 || prepared.Messages.Count == 0 ? DeliveryOutcome.Delivered : DeliveryOutcome.Dropped;
        if (outcome == DeliveryOutcome.Delivered)
        {
            // Only a partly delivered event lists its failed emails; a dropped one gets its single error line.
            foreach (var failure in failures)
            {
                DeliveryLog.EmailFailed(_logger, Known(prepared.EventId), Known(prepared.EventType), Known(messageId), failure);
            }
        }

        var reason = failures.Count > 1 ? $"{failures.Count} emails, none sent: {failures[0]}" : failures.FirstOrDefault();
        return new DeliveryResult(outcome, outcome == DeliveryOutcome.Dropped ? reason : null, prepared.EventId, prepared.EventType, recipientCount, sent, serverReply, refused);
    }

    private void Record(DeliveryResult result, RecipientSet? recipients, string? messageId)
    {
        _metrics.EventHandled(result.Outcome, result.EventType);
        var (eventId, eventType, message) = (Known(result.EventId), Known(result.EventType), Known(messageId));
        switch (result.Outcome)
        {
            case DeliveryOutcome.Delivered when result.MessagesSent == 0:
                DeliveryLog.NobodyToNotify(_logger, eventId, eventType, message, recipients?.SkippedWithoutAddress ?? 0, recipients?.InvalidAddresses.Count ?? 0);
                break;
            case DeliveryOutcome.Delivered:
                foreach (var refusal in result.Refused)
                {
                    DeliveryLog.RecipientRefused(_logger, eventId, eventType, message, refusal.Recipient.Address, refusal.Reply);
                }

                DeliveryLog.Delivered(_logger, eventId, eventType, message, result.MessagesSent, result.RecipientCount, result.Refused.Count, result.ServerReply ?? "nothing");
                break;
            case DeliveryOutcome.Dropped:
                DeliveryLog.Dropped(_logger, eventId, eventType, message, result.RecipientCount, Known(result.Reason));
                break;
            case DeliveryOutcome.Batched:
                BatchLog.Batched(_logger, eventId, eventType, message, result.Batched);
                break;
            default:
                DeliveryLog.Rejected(_logger, eventId, eventType, message, Known(result.Reason));
                break;
        }
    }

    /// <summary>What a log line shows for a value that could not be read (the logger would print "(null)").</summary>
    private static string Known(string? value) => string.IsNullOrEmpty(value) ? "unknown" : value;

    /// <summary>"an account.created event", "a pullrequest.opened event".</summary>
    private static string Article(string word) => word.Length > 0 && "aeiouAEIOU".Contains(word[0], StringComparison.Ordinal) ? "an" : "a";

    /// <summary>The admin-facing reason: the transport's message and hint; other failures by their message.</summary>
    internal static string DescribeFailure(Exception exception) => exception switch
    {
        SmtpException { Hint: { Length: > 0 } hint } smtp => $"{smtp.Message} ({hint})",
        SmtpException smtp => smtp.Message,
        OperationCanceledException or TimeoutException => $"the mail server did not answer in time: {exception.Message}",
        _ => $"sending failed ({exception.GetType().Name}): {exception.Message}",
    };

    private static string Describe(EventCategory category) => category switch
    {
        EventCategory.PullRequest => "pull-request",
        EventCategory.Repository => "repository and commit",
        _ => "account",
    };
}
