using Notifier.Smtp.Options;
using Xunit.Abstractions;
using Notifier.Smtp.Tests.Servers;
using static Notifier.Smtp.Tests.Integration.IntegrationSupport;

namespace Notifier.Smtp.Tests.Integration;

/// <summary>The runtime's finalization queue counts objects of every test running at the time; these tests run alone.</summary>
[CollectionDefinition(nameof(FinalizerCounting), DisableParallelization = true)]
public sealed class FinalizerCounting;

/// <summary>
/// What SmtpTransport leaves behind per message. MimeKit's entities have finalizers; a message that is not
/// disposed leaves its parts to the finalizer thread, which cost the app benchmark most of its throughput.
/// </summary>
[Trait("Category", "Integration")]
[Collection(nameof(FinalizerCounting))]
public sealed class SmtpTransportFinalizerTests(ITestOutputHelper output)
{
    private const int Messages = 200;

    [Fact]
    public async Task EachMimeMessageIsDisposedOnceSentSoNoneOfItsPartsWaitsForTheFinalizer()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions());
        await using var transport = Transport(Settings(server, tls: MailTls.None));
        await transport.SendAsync(Message("warm"));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        for (var i = 0; i < Messages; i++)
        {
            await transport.SendAsync(Message($"m{i}"));
        }

        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);
        var pending = GC.GetGCMemoryInfo(GCKind.FullBlocking).FinalizationPendingCount;
        output.WriteLine($"{pending} objects waiting for the finalizer after {Messages} messages");

        // Left undisposed, each message leaves about six (measured: 1210 after 200 messages; disposed: about 10 in all).
        Assert.True(pending < Messages / 2, $"{pending} objects were waiting for the finalizer after {Messages} messages");
        Assert.Equal(Messages + 1, server.Messages.Count);
    }
}
