using System.Net.Sockets;
using Notifier.Smtp.Client;
using Notifier.Smtp.Tests.Servers;
using static Notifier.Smtp.Tests.Integration.IntegrationSupport;

namespace Notifier.Smtp.Tests.Client;

/// <summary>The TCP connection we open for MailKit, against a real listening SMTP server.</summary>
[Trait("Category", "Integration")]
public sealed class SocketConnectorTests
{
    [Fact]
    public async Task TheConnectionToTheServerHasNagleSwitchedOff()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions());

        using var socket = await SocketConnector.ConnectAsync(Settings(server), CancellationToken.None);

        Assert.True(socket.Connected);
        // Read back from the kernel (getsockopt), not from a field of ours.
        Assert.Equal(1, (int)socket.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.NoDelay)!);
        Assert.True(socket.NoDelay);
    }
}
