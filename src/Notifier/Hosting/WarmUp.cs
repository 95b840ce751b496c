using Notifier.Notifications.Delivery;
using Notifier.Settings;
using Notifier.Smtp;

namespace Notifier.Hosting;

/// <summary>
/// Right after the handler starts listening, takes one built-in event through parse, check, recipients and
/// render (nothing is sent) and creates the mail transport, on a background thread. The first real
/// invocation then finds that code loaded and initialised instead of paying for it while a message waits.
/// </summary>
internal static partial class WarmUp
{
    private const string ResourceName = "Notifier.WarmUpEvent.json";

    public static void Start(IServiceProvider services) => _ = Task.Run(() => Run(services));

    private static void Run(IServiceProvider services)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WarmUp).FullName!);
        try
        {
            if (!services.GetRequiredService<NotifierSettings>().IsValid)
            {
                return;
            }

            services.GetRequiredService<IMailTransport>();
            using var stream = typeof(WarmUp).Assembly.GetManifestResourceStream(ResourceName)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var prepared = services.GetRequiredService<DeliveryPipeline>().Prepare(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), null, null);
            Finished(logger, prepared.Messages.Count);
        }
        catch (Exception ex)
        {
            // Only an optimisation: whatever failed here fails again, and is reported, on a real invocation.
            Failed(logger, ex.Message);
        }
    }

    [LoggerMessage(EventId = 2010, Level = LogLevel.Debug, Message = "Warm-up rendered {Count} email(s)")]
    private static partial void Finished(ILogger logger, int count);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Debug, Message = "Warm-up failed: {Reason}")]
    private static partial void Failed(ILogger logger, string reason);
}
