using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Notifier.Hosting;
using Notifier.Smtp;
using Notifier.Smtp.Messages;
using Notifier.Smtp.Resilience;
using Notifier.Smtp.Tests.Servers;

namespace Notifier.Tests.Mail;

/// <summary>The transport the app sends with when Mail__Host is set: the SMTP client behind the circuit breaker.</summary>
public sealed class MailTransportFactoryTests
{
    [Fact]
    public async Task TheAppsTransportFailsFastAfterThreeRefusedConnectionsFor30Seconds()
    {
        using var down = new RefusingPort();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var services = AppServices(down.Port, clock);
        var transport = services.GetRequiredService<IMailTransport>();
        Assert.IsType<CircuitBreakerTransport>(transport);

        for (var i = 0; i < 3; i++)
        {
            var refused = await Assert.ThrowsAnyAsync<SmtpProtocolException>(() => transport.SendAsync(Message()));
            Assert.IsNotType<SmtpCircuitOpenException>(refused);
        }

        var fast = await Assert.ThrowsAsync<SmtpCircuitOpenException>(() => transport.SendAsync(Message()));
        Assert.Equal(clock.GetUtcNow() + TimeSpan.FromSeconds(30), fast.RetryAt);
        Assert.Contains("failed 3 times in a row", fast.Message, StringComparison.Ordinal);

        clock.Advance(TimeSpan.FromSeconds(29));
        await Assert.ThrowsAsync<SmtpCircuitOpenException>(() => transport.SendAsync(Message()));

        clock.Advance(TimeSpan.FromSeconds(1));
        var probe = await Assert.ThrowsAnyAsync<SmtpProtocolException>(() => transport.SendAsync(Message()));
        Assert.IsNotType<SmtpCircuitOpenException>(probe);
    }

    private static ServiceProvider AppServices(int port, TimeProvider clock)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mail:Host"] = "127.0.0.1",
            ["Mail:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Mail:Tls"] = "None",
            ["Mail:From"] = "noreply@example.com",
            ["Notifications:BaseUrl"] = "https://git.example.com/",
        }).Build());
        services.AddSingleton(clock);
        services.AddLogging();
        services.AddNotifier();
        return services.BuildServiceProvider();
    }

    private static EmailMessage Message() => new()
    {
        From = new Mailbox("noreply@example.com"),
        To = [new Mailbox("jane@example.com")],
        Subject = "n",
        TextBody = "Hello",
    };
}
