using Notifier.Hosting;
using Notifier.Invocations;
using Notifier.Notifications.Batching;
using Notifier.Settings;
using Notifier.Storage;

namespace Notifier.Functions;

/// <summary>
/// <c>POST /FlushBatches</c>: the host's timer (schedule <c>Notifications__Batching__FlushSchedule</c>, every
/// minute by default). Sends every due digest, then removes handled-message records older than a day. The
/// return value counts the digests; 500 when settings are unusable or the store could not be read, so the
/// host records a failed run (the next run picks up whatever is due).
/// </summary>
internal static class FlushBatchesHandler
{
    public static async Task<InvocationResponse> InvokeAsync(HttpContext context, ILoggerFactory loggers, NotifierSettings settings, Lazy<Digests> digests, Lazy<MessageLedger> ledger)
    {
        var logger = loggers.CreateLogger(typeof(FlushBatchesHandler));
        var response = new InvocationResult();
        var read = await Invocation.ReadAsync(context.Request.Body, context.RequestAborted, context.Request.ContentLength);
        if (!read.Succeeded)
        {
            HandlerLog.InvocationUnreadable(logger, FunctionCatalog.FlushBatches.Name, read.Error);
            response.Logs.Add(read.Error);
            return new InvocationResponse(response, StatusCodes.Status400BadRequest);
        }

        using (read.Invocation)
        {
            if (!settings.IsValid)
            {
                HandlerLog.RefusedWhileMisconfigured(logger, FunctionCatalog.FlushBatches.Name);
                response.Logs.Add(settings.Describe());
                return new InvocationResponse(response, StatusCodes.Status500InternalServerError);
            }

            if (digests.Value.Flusher is not { } flusher)
            {
                response.Logs.Add("AzureWebJobsStorage is not set: there are no digests to send");
                response.ReturnValue = FlushReturnValue.Nothing;
                return new InvocationResponse(response);
            }

            var result = await flusher.FlushAsync(all: false, context.RequestAborted);
            var removed = 0;
            try
            {
                removed = await ledger.Value.CleanUpAsync(context.RequestAborted);
            }
            catch (BatchStoreUnavailableException ex)
            {
                StorageLog.CleanUpFailed(logger, ex.Message);
            }

            var summary = result.ToString();
            StorageLog.Flushed(logger, summary, removed);
            response.Logs.Add(summary);
            response.ReturnValue = new FlushReturnValue(result.Digests, result.Items, result.Delivered, result.Dropped, result.Error);
            return new InvocationResponse(response, result.Error is null ? StatusCodes.Status200OK : StatusCodes.Status500InternalServerError);
        }
    }
}
