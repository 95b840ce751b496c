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

    [Fact]
    public void ByDefaultThreeFailuresInARowOpenTheCircuitFor30Seconds()
    {
        var defaults = new CircuitBreakerOptions();

        Assert.Equal(3, defaults.FailureThreshold);
        Assert.Equal(TimeSpan.FromSeconds(30), defaults.CoolDown);
    }

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

        SmtpProtocolException? refused = null;
        for (var i = 0; i < 3; i++)
        {
            refused = await Assert.ThrowsAnyAsync<SmtpProtocolException>(() => transport.SendAsync(Message(i)));
            Assert.IsNotType<SmtpCircuitOpenException>(refused);
        }

        Assert.True(transport.IsOpen);
        var retryAt = time.GetUtcNow() + Breaker.CoolDown;
        var opened = Assert.Single(log.Lines, l => l.StartsWith("Warning 2400 ", StringComparison.Ordinal));
        Assert.Contains($"127.0.0.1:{port} failed 3 times in a row ({refused!.Message})", opened, StringComparison.Ordinal);
        Assert.Contains($"sends fail fast until {retryAt:HH:mm:ss} UTC", opened, StringComparison.Ordinal);

        // The server comes back, but within the cool-down nobody tries it.
        await server.ListenAsync();
        var fast = await Assert.ThrowsAsync<SmtpCircuitOpenException>(() => transport.SendAsync(Message(3)));
        Assert.Equal(
            $"{refused.Message} (fast-failed: 127.0.0.1:{port} failed 3 times in a row, so it is not tried again until {retryAt:HH:mm:ss} UTC)",
            fast.Message);
        Assert.Equal(refused.Hint, fast.Hint);
        Assert.Equal(retryAt, fast.RetryAt);
        await Assert.ThrowsAsync<SmtpCircuitOpenException>(() => transport.SendAsync(Message(4)));
        Assert.Empty(server.Sessions);

        time.Advance(Breaker.CoolDown);
        var result = await transport.SendAsync(Message(5));

        Assert.Equal(["jane@example.com"], result.Accepted.Select(a => a.Address));
        Assert.False(transport.IsOpen);
        var closed = Assert.Single(log.Lines, l => l.StartsWith("Information 2402 ", StringComparison.Ordinal));
        Assert.Contains($"127.0.0.1:{port} answers again", closed, StringComparison.Ordinal);
        Assert.Contains("(2 send(s) failed fast while it was down)", closed, StringComparison.Ordinal);
        Assert.Contains("Subject: n5", Assert.Single(server.Messages).Text, StringComparison.Ordinal);
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

        var probe = Assert.Single(failures, f => f is not SmtpCircuitOpenException);
        Assert.True(transport.IsOpen);
        var retryAt = time.GetUtcNow() + Breaker.CoolDown;
        var stillFails = Assert.Single(log.Lines, l => l.StartsWith("Warning 2401 ", StringComparison.Ordinal));
        Assert.Contains($"127.0.0.1:{down.Port} still fails ({probe.Message})", stillFails, StringComparison.Ordinal);
        Assert.Contains($"sends fail fast until {retryAt:HH:mm:ss} UTC", stillFails, StringComparison.Ordinal);
        var next = await Assert.ThrowsAsync<SmtpCircuitOpenException>(() => transport.SendAsync(Message(9)));
        Assert.Equal(retryAt, next.RetryAt);
    }

    [Fact]
    public async Task AProbeTheServerAnswersWithNoClosesTheCircuit()
    {
        // Down at first; once it listens, it answers every message with 451: up, if unhelpful.
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { StartClosed = true, Faults = ["data-451"] });
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (transport, log) = Create(Options(server.Port), time);
        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAnyAsync<SmtpProtocolException>(() => transport.SendAsync(Message(i)));
        }

        Assert.True(transport.IsOpen);
        await server.ListenAsync();
        time.Advance(Breaker.CoolDown);

        var no = await Assert.ThrowsAsync<SmtpCommandException>(() => transport.SendAsync(Message(3)));

        Assert.Equal(SmtpReplyCode.ErrorInProcessing, no.Code);
        Assert.False(transport.IsOpen);
        Assert.Contains(log.Lines, l => l.StartsWith("Information 2402 ", StringComparison.Ordinal));
        var next = await Assert.ThrowsAsync<SmtpCommandException>(() => transport.SendAsync(Message(4)));
        Assert.Equal(SmtpReplyCode.ErrorInProcessing, next.Code);
        Assert.Equal(2, server.Messages.Count);
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
