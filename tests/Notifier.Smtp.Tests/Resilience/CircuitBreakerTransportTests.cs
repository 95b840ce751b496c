using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Notifier.Smtp.Messages;
using Notifier.Smtp.Options;
using Notifier.Smtp.Resilience;
using Notifier.Smtp.Tests.Mime;
using Notifier.Smtp.Tests.Servers;
using Notifier.Smtp.Tests.Support;

namespace Notifier.Smtp.Tests.Resilience;

/// <summary>The circuit breaker over the real SMTP client, against a closed port, a silent listener and a real server.</summary>
[Trait("Category", "Integration")]
public sealed class CircuitBreakerTransportTests
{
    private static readonly CircuitBreakerOptions Breaker = new() { FailureThreshold = 3, CoolDown = TimeSpan.FromSeconds(30) };

    private static MailOptions Options(int port, TimeSpan? timeout = null) => new()
    {
        Host = "127.0.0.1",
        Port = port,
        Tls = MailTls.None,
        From = "noreply@example.com",
        ConnectTimeout = timeout ?? TimeSpan.FromSeconds(5),
        CommandTimeout = timeout ?? TimeSpan.FromSeconds(5),
        MaxConnections = 4,
    };

    private static (CircuitBreakerTransport Transport, CapturingLogger<CircuitBreakerTransport> Log) Create(MailOptions options, TimeProvider time)
    {
        var log = new CapturingLogger<CircuitBreakerTransport>();
        var smtp = new SmtpTransport(options, NullLogger<SmtpTransport>.Instance, TimeProvider.System);
        return (new CircuitBreakerTransport(smtp, $"127.0.0.1:{options.Port}", Breaker, time, log), log);
    }

    private static EmailMessage Message(int i = 0) => TestMessages.Create(subject: $"n{i}", to: [new Mailbox("jane@example.com")]);

    [Fact]
    public async Task TwentyEmailsToASilentServerTakeAboutOneTimeoutNotTwenty()
    {
        // Accepts connections (the kernel completes them) and never says a word: every attempt waits for the timeout.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start(backlog: 64);
        var timeout = TimeSpan.FromSeconds(3);
        var (transport, log) = Create(Options(((IPEndPoint)silent.LocalEndpoint).Port, timeout), TimeProvider.System);

        var watch = Stopwatch.StartNew();
        var failures = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
            await Assert.ThrowsAnyAsync<SmtpProtocolException>(() => transport.SendAsync(Message(i)))));
        watch.Stop();

        // Without the breaker the pool of 4 makes this 5 timeouts (15 s); with it, one round of 4 attempts (3 s).
        // The bound leaves a loaded machine two more timeouts of slack and still tells the two apart.
        Assert.True(watch.Elapsed < timeout * 3, $"took {watch.Elapsed}");
        Assert.True(failures.Count(f => f is SmtpCircuitOpenException) >= 16, string.Join("\n", failures.Select(f => f.Message)));
        Assert.All(failures, f => Assert.Contains("greeting", f.Message, StringComparison.Ordinal));
        Assert.True(transport.IsOpen);
        Assert.Contains(log.Lines, l => l.StartsWith("Warning 2400 ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OpensAfterThreeRefusedConnectionsFailsFastWithTheSameReasonThenOneProbeClosesIt()
    {
        // The server holds its port from the start but refuses connections until it is told to listen: down, then back.
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { StartClosed = true });
        var port = server.Port;
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (transport, log) = Create(Options(port), time);

        for (var i = 0; i < 3; i++)
        {
            var refused = await Assert.ThrowsAnyAsync<SmtpProtocolException>(() => transport.SendAsync(Message(i)));
            Assert.IsNotType<SmtpCircuitOpenException>(refused);
        }

        Assert.True(transport.IsOpen);
        Assert.Contains(log.Lines, l => l.StartsWith("Warning 2400 ", StringComparison.Ordinal) && l.Contains($"127.0.0.1:{port}", StringComparison.Ordinal));

        // The server comes back, but within the cool-down nobody tries it.
        await server.ListenAsync();
        var fast = await Assert.ThrowsAsync<SmtpCircuitOpenException>(() => transport.SendAsync(Message(3)));
        Assert.Contains("fast-failed", fast.Message, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{port}", fast.Message, StringComparison.Ordinal);
        Assert.Equal(time.GetUtcNow() + Breaker.CoolDown, fast.RetryAt);
        Assert.Empty(server.Sessions);

        time.Advance(Breaker.CoolDown);
        var result = await transport.SendAsync(Message(4));

        Assert.Equal(["jane@example.com"], result.Accepted.Select(a => a.Address));
        Assert.False(transport.IsOpen);
        Assert.Contains(log.Lines, l => l.StartsWith("Information 2402 ", StringComparison.Ordinal));
        Assert.Contains("Subject: n4", Assert.Single(server.Messages).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailedPreparationsNeverOpenTheCircuit()
    {
        using var down = new RefusingPort();
        var (transport, log) = Create(Options(down.Port), new FakeTimeProvider(DateTimeOffset.UtcNow));

        for (var i = 0; i < 5; i++)
        {
            await Assert.ThrowsAnyAsync<SmtpProtocolException>(() => transport.PrepareAsync());
        }

        // No message was at stake: the next send still tries the server instead of failing fast.
        var refused = await Assert.ThrowsAnyAsync<SmtpProtocolException>(() => transport.SendAsync(Message()));
        Assert.IsNotType<SmtpCircuitOpenException>(refused);
        Assert.False(transport.IsOpen);
        Assert.DoesNotContain(log.Lines, l => l.StartsWith("Warning 2400 ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AFailedProbeKeepsItOpenForAnotherCoolDownAndOnlyOneSendProbes()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var down = new RefusingPort();
        var (transport, log) = Create(Options(down.Port), time);
        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAnyAsync<SmtpProtocolException>(() => transport.SendAsync(Message(i)));
        }

        time.Advance(Breaker.CoolDown);
        var failures = await Task.WhenAll(Enumerable.Range(0, 6).Select(async i =>
            await Assert.ThrowsAnyAsync<SmtpProtocolException>(() => transport.SendAsync(Message(i)))));

        Assert.Single(failures, f => f is not SmtpCircuitOpenException);
        Assert.True(transport.IsOpen);
        Assert.Contains(log.Lines, l => l.StartsWith("Warning 2401 ", StringComparison.Ordinal));
        var next = await Assert.ThrowsAsync<SmtpCircuitOpenException>(() => transport.SendAsync(Message(9)));
        Assert.Equal(time.GetUtcNow() + Breaker.CoolDown, next.RetryAt);
    }

    [Fact]
    public async Task AServerThatSaysNoIsUpAndNeverOpensTheCircuit()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Faults = ["data-451"] });
        var (transport, log) = Create(Options(server.Port), new FakeTimeProvider(DateTimeOffset.UtcNow));

        for (var i = 0; i < 5; i++)
        {
            var no = await Assert.ThrowsAnyAsync<SmtpException>(() => transport.SendAsync(Message(i)));
            Assert.IsType<SmtpCommandException>(no, exactMatch: false);
        }

        Assert.False(transport.IsOpen);
        Assert.Equal(5, server.Messages.Count);
        Assert.DoesNotContain(log.Lines, l => l.Contains(" 2400 ", StringComparison.Ordinal));
    }
}
