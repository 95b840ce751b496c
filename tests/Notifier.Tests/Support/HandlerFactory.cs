using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Notifier.Smtp;
using Notifier.Smtp.Messages;
using NSubstitute;

namespace Notifier.Tests.Support;

/// <summary>The handler in memory (the real Program and endpoints) with a substitute mail transport.</summary>
public sealed class HandlerFactory : WebApplicationFactory<Program>
{
    public HandlerFactory(Dictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        Settings = settings ?? new Dictionary<string, string?>
        {
            ["Mail:Host"] = "mail.example.test",
            ["Mail:From"] = "Code Review <noreply@example.com>",
            ["Notifications:BaseUrl"] = "https://git.example.com/",
        };
        ExtraServices = services;
        Transport.SendAsync(Arg.Any<EmailMessage>(), Arg.Any<CancellationToken>())
            .Returns(call => new SendResult(call.Arg<EmailMessage>().Recipients, [], "250 2.0.0 Ok: queued"));
    }

    public IMailTransport Transport { get; } = Substitute.For<IMailTransport>();

    public Dictionary<string, string?> Settings { get; }

    private Action<IServiceCollection>? ExtraServices { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(Settings));
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton(Transport);
            ExtraServices?.Invoke(services);
        });
    }
}
