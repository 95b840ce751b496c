using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Notifier.Functions;
using Notifier.Invocations;
using Notifier.Notifications;
using Notifier.Notifications.Delivery;
using Notifier.Notifications.Events;
using Notifier.Notifications.Recipients;
using Notifier.Notifications.Rendering;
using Notifier.Settings;
using Notifier.Smtp;
using Notifier.Smtp.Messages;

namespace Notifier.Hosting;

/// <summary>
/// Takes one built-in event through the whole invocation path on a background thread, twice: at process start
/// with default options (<see cref="StartEarly"/>), then after the handler listens with the real services:
/// reading a host-shaped invocation, parse, check, recipients, render, MIME (into a sink that discards the
/// bytes: nothing is sent, counted or logged as delivered) and writing the answer. The first real invocation
/// then finds that code loaded, compiled and initialised instead of paying for it while a message waits.
/// After listening it also opens one mail connection (TLS and AUTH included) into the pool, so the first
/// message does not wait for that either.
/// </summary>
internal static partial class WarmUp
{
    private const string ResourceName = "Notifier.WarmUpEvent.json";

    /// <summary>
    /// Starts warming the code at process start, on a background thread: the built-in event through a private
    /// pipeline built from default options. It needs no settings or services, so it runs while the host is
    /// still being built (work for one core, the main thread) instead of after the handler listens, where it
    /// competed with the first invocation: first invocation 11–21 ms sooner, <c>GET /</c> 25–26 ms later
    /// (bench/README-app.md). What it compiles and initialises serves every later use, whatever the options.
    /// Returns how many emails it rendered and encoded; 0 when it failed, which the warm-up after listening,
    /// with the real services, then reports.
    /// </summary>
    public static Task<int> StartEarly() => Task.Run(async () =>
    {
        try
        {
            var options = new NotificationOptions { BaseUrl = new Uri("https://warm-up.invalid/") };
            var renderer = new EmailRenderer(options, new Mailbox("warm-up@warm-up.invalid"));
            return await RenderSampleAsync(new EventParser(), new EventPolicy(options), new RecipientResolver(), renderer);
        }
        catch (Exception)
        {
            return 0;
        }
    });

    /// <summary>
    /// After the handler listens: opens the first mail connection and, once <paramref name="early"/> is done,
    /// takes the sample through the real services; then runs <paramref name="afterwards"/> on the same
    /// background thread: whatever else start-up has to do, so that it neither delays <c>GET /</c> nor
    /// competes with the warm-up on 2 cores.
    /// </summary>
    public static void Start(IServiceProvider services, Task early, Action afterwards) => _ = Task.Run(async () =>
    {
        await RunAsync(services, early);
        afterwards();
    });

    /// <summary>Runs the warm-up; returns how many emails it rendered and encoded (0 when skipped or failed).</summary>
    internal static async Task<int> RunAsync(IServiceProvider services, Task early)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WarmUp));
        try
        {
            if (!services.GetRequiredService<NotifierSettings>().IsValid)
            {
                return 0;
            }

            // The mail connection is opened meanwhile (I/O while the CPU warms the rest): the first real
            // message then finds it in the pool. Not waited for: a mail server that is slow to answer must not
            // hold up what follows the warm-up (the connection reports its own outcome).
            _ = OpenMailConnectionAsync(services.GetRequiredService<IMailTransport>(), logger);

            // The real services' own first use (their construction, per-instance state) on code the early
            // warm-up has already compiled: short, and never beside it.
            await early;
            var sent = await RenderSampleAsync(
                services.GetRequiredService<EventParser>(),
                services.GetRequiredService<EventPolicy>(),
                services.GetRequiredService<RecipientResolver>(),
                services.GetRequiredService<EmailRenderer>());
            Finished(logger, sent);
            return sent;
        }
        catch (Exception ex)
        {
            // Only an optimisation: whatever failed here fails again, and is reported, on a real invocation.
            Failed(logger, ex.Message);
            return 0;
        }
    }

    /// <summary>
    /// The built-in event as the host sends it, through a private pipeline over the given parser, policy,
    /// resolver and renderer, but with a transport that only writes MIME and its own metrics, so the warm-up
    /// is never counted as a delivery; then the answer's JSON.
    /// </summary>
    private static async Task<int> RenderSampleAsync(EventParser parser, EventPolicy policy, RecipientResolver resolver, EmailRenderer renderer)
    {
        var read = await Invocation.ReadAsync(new MemoryStream(SampleInvocation()), CancellationToken.None);
        using (read.Invocation)
        {
            var body = read.Invocation is { } invocation ? invocation.Body(FunctionCatalog.PullRequestEvents.TriggerBinding) : throw new InvalidOperationException(read.Error);

            // The meter has another name: a listener subscribes by name (OpenTelemetry, dotnet-counters), and
            // a second meter called Notifier would add the warm-up to notifier.events.
            using var meters = new WarmUpMeterFactory();
            using var metrics = new DeliveryMetrics(meters);
            var pipeline = new DeliveryPipeline(parser, policy, resolver, renderer, new DiscardingTransport(), metrics, NullLogger<DeliveryPipeline>.Instance);
            var result = await pipeline.DeliverAsync(body, invocation.EventKey, FunctionCatalog.PullRequestEvents.Category);
            var answer = new InvocationResult();
            answer.Logs.Add(result.ToString());
            answer.ReturnValue = QueueFunctionHandler.ReturnValue(result, duplicate: false);
            _ = InvocationResponse.ToUtf8(answer);
            return result.MessagesSent;
        }
    }

    private static async Task OpenMailConnectionAsync(IMailTransport transport, ILogger logger)
    {
        try
        {
            await transport.PrepareAsync(CancellationToken.None);
            MailConnectionReady(logger);
        }
        catch (Exception ex)
        {
            // Not a drop and not a circuit-breaker failure: no message was at stake. A real send retries
            // the connection and reports what goes wrong then.
            MailConnectionFailed(logger, ex.Message);
        }
    }

    /// <summary>The embedded sample event as the host sends it: binary body, base64 in <c>Data.message</c>.</summary>
    private static byte[] SampleInvocation()
    {
        using var stream = typeof(WarmUp).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the embedded resource {ResourceName} is missing from the build");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var base64 = Convert.ToBase64String(buffer.GetBuffer(), 0, (int)buffer.Length);
        return Encoding.UTF8.GetBytes(
            "{\"Data\":{\"message\":\"" + base64 + "\"},\"Metadata\":{\"MessageId\":\"warm-up\",\"DeliveryCount\":1,\"ContentType\":\"application/json\",\"ApplicationProperties\":{}}}");
    }

    [LoggerMessage(EventId = 3020, Level = LogLevel.Debug, Message = "Warm-up rendered and encoded {Count} email(s)")]
    private static partial void Finished(ILogger logger, int count);

    [LoggerMessage(EventId = 3021, Level = LogLevel.Debug, Message = "Warm-up failed: {Reason}")]
    private static partial void Failed(ILogger logger, string reason);

    [LoggerMessage(EventId = 3750, Level = LogLevel.Debug, Message = "Warm-up opened a mail connection for the first message")]
    private static partial void MailConnectionReady(ILogger logger);

    [LoggerMessage(EventId = 3751, Level = LogLevel.Debug, Message = "Warm-up could not open a mail connection (the first message will try again): {Reason}")]
    private static partial void MailConnectionFailed(ILogger logger, string reason);

    /// <summary>Builds each message with MimeKit and writes it to nowhere; sends nothing.</summary>
    private sealed class DiscardingTransport : IMailTransport
    {
        public async Task<SendResult> SendAsync(EmailMessage message, CancellationToken cancellationToken = default)
        {
            // Completes later, as a real send does: the pipeline's async methods then suspend and resume, and
            // their state machines' code (generic over the app's types, so not precompiled) is compiled here
            // rather than during the first real message.
            await Task.Yield();
            using var mime = MimeMessageBuilder.Build(message);
            await MimeMessageBuilder.WriteEightBitAsync(mime, Stream.Null, cancellationToken);
            return new SendResult(message.Recipients, [], "250 warm-up (not sent)");
        }
    }

    /// <summary>Gives the warm-up's pipeline a meter no exporter listens to.</summary>
    private sealed class WarmUpMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter("Notifier.WarmUp");
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }
}
