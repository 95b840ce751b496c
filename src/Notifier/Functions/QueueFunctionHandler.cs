using System.Globalization;
using Notifier.Hosting;
using Notifier.Invocations;
using Notifier.Notifications.Delivery;
using Notifier.Storage;
using Notifier.Telemetry;

namespace Notifier.Functions;

/// <summary>
/// <c>POST /PullRequestEvents</c>, <c>/RepositoryEvents</c>, <c>/AccountEvents</c>: one Service Bus message in,
/// one outcome out. Delivered, batched, dropped and rejected all answer 200 so the host completes the message; a
/// rejected body goes to <c>Outputs.rejected</c>. Only a request the handler cannot act on at all (too large, not an
/// invocation, settings not usable, or the same message being handled by another instance right now)
/// answers 4xx/5xx, which returns the message to the queue: retried,
/// and dead-lettered after the queue's maxDeliveryCount, never lost.
/// </summary>
internal static class QueueFunctionHandler
{
    public static async Task<InvocationResponse> InvokeAsync(FunctionDefinition function, HttpContext context, QueueFunctionServices services)
    {
        if (!function.ReadsQueue)
        {
            throw new ArgumentException($"{function.Name} reads no queue", nameof(function));
        }

        var logger = services.Loggers.CreateLogger(typeof(QueueFunctionHandler));
        var cancellationToken = context.RequestAborted;
        var response = new InvocationResult();

        // Too large is 413 whether the Content-Length says so (nothing read) or a body without one runs past the limit.
        var read = await Invocation.ReadAsync(context.Request.Body, cancellationToken, context.Request.ContentLength);
        using var activity = InvocationTelemetry.Start(function.Name, context, read.Invocation?.MessageId);
        using var scope = InvocationTelemetry.BeginScope(logger, activity, function.Name, read.Invocation?.MessageId);
        if (!read.Succeeded)
        {
            InvocationTelemetry.End(activity, "unreadable", null, read.Error);
            HandlerLog.InvocationUnreadable(logger, function.Name, read.Error);
            response.Logs.Add($"{function.Name}: the invocation could not be read: {read.Error}");
            // Either way the message goes back to the queue (retried, then dead-lettered whole), never lost.
            return new InvocationResponse(response, read.TooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest);
        }

        using (var invocation = read.Invocation)
        {
            var settings = services.Settings;
            if (!settings.IsValid)
            {
                InvocationTelemetry.End(activity, "refused", null, "settings not usable");
                HandlerLog.RefusedWhileMisconfigured(logger, function.Name);
                response.Logs.Add(settings.Describe());
                return new InvocationResponse(response, StatusCodes.Status500InternalServerError);
            }

            var body = invocation.Body(function.TriggerBinding);
            var pipeline = services.Pipeline.Value;
            var ledger = services.Ledger.Value;
            var handledElsewhere = false;
            DeliveryResult result;
            bool duplicate;
            try
            {
                // This process first (a copy in flight here is joined), then every instance through the store.
                (result, duplicate) = await services.RecentMessages.HandleOnceAsync(invocation.MessageId, async () =>
                {
                    var (shared, elsewhere) = await ledger.HandleOnceAsync(function.Name, invocation.MessageId, () => pipeline.DeliverAsync(body, invocation.EventKey, function.Category, invocation.MessageId, cancellationToken), cancellationToken);
                    handledElsewhere = elsewhere;
                    return shared;
                });
            }
            catch (MessageInProgressException)
            {
                StorageLog.InProgressElsewhere(logger, function.Name, invocation.MessageId);
                response.Logs.Add($"message {invocation.MessageId} is being handled by another instance; it goes back to the queue");
                return new InvocationResponse(response, StatusCodes.Status503ServiceUnavailable);
            }

            duplicate |= handledElsewhere;

            if (duplicate)
            {
                var outcome = DeliveryMetrics.OutcomeTag(result.Outcome);
                var deliveries = invocation.DeliveryCount?.ToString(CultureInfo.InvariantCulture) ?? "unknown";
                HandlerLog.Duplicate(logger, function.Name, invocation.MessageId, deliveries, outcome);
                response.Logs.Add($"message {invocation.MessageId} was handled already ({outcome}); not mailed again");
            }

            if (result.IsRejected)
            {
                // Forwarded again for a duplicate too: the first answer may never have reached the host.
                var envelope = new RejectedMessage
                {
                    Reason = result.Reason,
                    Queue = function.Queue,
                    Function = function.Name,
                    MessageId = invocation.MessageId,
                    EventId = result.EventId,
                    EventType = result.EventType,
                    EventKey = invocation.EventKey,
                    ContentType = invocation.ContentType,
                    RejectedAt = services.Time.GetUtcNow(),
                };
                response.Outputs[FunctionCatalog.RejectedBinding] = await services.Rejections.Value.CreateAsync(envelope, body, cancellationToken);
            }

            InvocationTelemetry.End(activity, DeliveryMetrics.OutcomeTag(result.Outcome), result.EventType,
                result.Outcome == DeliveryOutcome.Dropped ? result.Reason : null);
            response.Logs.Add(result.ToString());
            response.ReturnValue = ReturnValue(result, duplicate);
            return new InvocationResponse(response);
        }
    }

    /// <summary>The function's return value; the warm-up serialises the same shape (Hosting/WarmUp.cs).</summary>
    internal static FunctionReturnValue ReturnValue(DeliveryResult result, bool duplicate) =>
        new(DeliveryMetrics.OutcomeTag(result.Outcome), result.EventId, result.Reason, duplicate);
}
