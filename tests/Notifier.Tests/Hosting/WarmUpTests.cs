using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Notifier.Hosting;
using Notifier.Notifications.Delivery;
using Notifier.Smtp;
using Notifier.Smtp.Messages;
using Notifier.Smtp.Resilience;
using Notifier.Smtp.Tests.Servers;
using Notifier.Tests.Support;
using NSubstitute;

namespace Notifier.Tests.Hosting;

public sealed class WarmUpTests
{
    private static readonly AsyncLocal<bool> InThisTest = new();

    [Fact]
    public async Task WarmUpRendersAndEncodesTheSampleEmailsWithoutSendingAny()
    {
        await using var factory = new HandlerFactory();
        using var client = factory.CreateClient();
        (await client.GetAsync(new Uri("/", UriKind.Relative))).EnsureSuccessStatusCode();

        var encoded = await WarmUp.RunAsync(factory.Services, early: Task.CompletedTask);

        Assert.Equal(2, encoded);
        await factory.Transport.DidNotReceiveWithAnyArgs().SendAsync(Arg.Any<EmailMessage>(), Arg.Any<CancellationToken>());
        // The mail connection is prepared meanwhile (SmtpPoolTests and ServeProcessTests show what that opens).
        await factory.Transport.Received().PrepareAsync(Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task TheEarlyWarmUpRendersAndEncodesTheSampleEmailsWithoutSettingsOrServices()
    {
        Assert.Equal(2, await WarmUp.StartEarly());
    }

    [Fact]
    public async Task TheWarmUpAfterListeningOpensTheMailConnectionBeforeTheEarlyOneFinishes()
    {
        await using var factory = new HandlerFactory();
        var early = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

        var warmUp = WarmUp.RunAsync(factory.Services, early.Task);

        await factory.Transport.Received().PrepareAsync(Arg.Any<CancellationToken>());
        Assert.False(warmUp.IsCompleted);
        early.SetResult(2);
        Assert.Equal(2, await warmUp);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task AMailConnectionThatCannotBeOpenedAtStartIsLoggedAt3751AndTheFirstEventConnectsAsUsual()
    {
        // The server holds its port but refuses connections until it is told to listen.
        await using var smtp = await SmtpServerProcess.StartAsync(new SmtpServerOptions { StartClosed = true });
        var logs = new LogCollector();
        await using var services = AppServices(smtp.Port, logs);

        await WarmUp.RunAsync(services, early: Task.CompletedTask);

        await Eventually.TrueAsync(() => logs.Entries.Any(e => e.EventId == 3751), "the warm-up logged that it could not open the mail connection");
        var failed = logs.Entries.Single(e => e.EventId == 3751);
        Assert.Equal(LogLevel.Debug, failed.Level);
        Assert.Contains($"127.0.0.1:{smtp.Port} refused the connection", failed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Entries, e => e.EventId == 3750);
        Assert.False(((CircuitBreakerTransport)services.GetRequiredService<IMailTransport>()).IsOpen);

        await smtp.ListenAsync();
        var result = await services.GetRequiredService<DeliveryPipeline>().DeliverAsync(Repo.Sample("pullrequest.approved"), eventKey: null, expectedCategory: null);

        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        Assert.Single(smtp.Sessions);
        Assert.Equal(result.MessagesSent, smtp.Messages.Count);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task NeitherWarmUpIsCountedInNotifierEventsNorLoggedAsDeliveredNorSent()
    {
        await using var smtp = await SmtpServerProcess.StartAsync(new SmtpServerOptions());
        var logs = new LogCollector();
        await using var services = AppServices(smtp.Port, logs);
        var counted = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == DeliveryMetrics.MeterName && instrument.Name == "notifier.events")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            // Only this test's own work: the marker flows into the warm-up's background thread and nowhere else.
            if (InThisTest.Value)
            {
                lock (counted)
                {
                    counted.Add(string.Join(",", tags.ToArray().Select(t => $"{t.Key}={t.Value}")));
                }
            }
        });
        listener.Start();
        InThisTest.Value = true;

        var early = await WarmUp.StartEarly();
        var afterListening = await WarmUp.RunAsync(services, early: Task.CompletedTask);

        Assert.Equal((2, 2), (early, afterListening));
        Assert.Empty(counted);
        Assert.DoesNotContain(logs.Entries, e => e.EventId == 1000);
        Assert.Empty(smtp.Messages);

        // The same listener and log see a real delivery through the same services.
        var result = await services.GetRequiredService<DeliveryPipeline>().DeliverAsync(Repo.Sample("pullrequest.approved"), eventKey: null, expectedCategory: null);
        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        Assert.Equal(["outcome=delivered,type=pullrequest.approved"], counted);
        Assert.Contains(logs.Entries, e => e.EventId == 1000);
    }

    /// <summary>The app's own services for a plain SMTP server on loopback, every log line kept.</summary>
    private static ServiceProvider AppServices(int smtpPort, LogCollector logs)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mail:Host"] = "127.0.0.1",
            ["Mail:Port"] = smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Mail:Tls"] = "None",
            ["Mail:From"] = "Code Review <noreply@example.com>",
            ["Notifications:BaseUrl"] = "https://git.example.com/",
            ["Notifications:Batching:Mode"] = "Immediate",
        }).Build());
        services.AddLogging(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        services.AddNotifier();
        return services.BuildServiceProvider();
    }
}
