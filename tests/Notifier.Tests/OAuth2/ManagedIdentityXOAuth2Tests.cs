using System.Globalization;
using Notifier.Smtp.Tests.Servers;
using Notifier.Tests.Support;

namespace Notifier.Tests.OAuth2;

/// <summary>
/// <c>Mail__Authentication=OAuth2</c> end to end through the real Azure.Identity code path: the <c>notifier</c>
/// process finds a managed identity the way Azure Functions announces one (<c>IDENTITY_ENDPOINT</c>,
/// <c>IDENTITY_HEADER</c>, played by <see cref="ManagedIdentityEndpoint"/> on loopback), and sends to an aiosmtpd
/// server that offers only AUTH XOAUTH2 and checks the exact SASL payload.
/// </summary>
public sealed class ManagedIdentityXOAuth2Tests(ServerCertificates certificates) : IClassFixture<ServerCertificates>
{
    private const string Mailbox = "notifier@contoso.com";

    private Dictionary<string, string?> Environment(ManagedIdentityEndpoint identity, SmtpServerProcess smtp)
    {
        var environment = new Dictionary<string, string?>(identity.Environment)
        {
            ["Notifications__BaseUrl"] = "https://git.example.com/",
            ["Mail__Host"] = "localhost",
            ["Mail__Port"] = smtp.Port.ToString(CultureInfo.InvariantCulture),
            ["Mail__Tls"] = "Always",
            ["Mail__TrustedCertificatesPath"] = certificates.AuthorityPath,
            ["Mail__From"] = "Code Review <notifier@contoso.com>",
            ["Mail__Authentication"] = "OAuth2",
            ["Mail__Username"] = Mailbox,
        };
        return environment;
    }

    [Fact]
    public async Task WhenTheIdentityEndpointRefusesTheEventIsDroppedNamingIdentityAndScopeAndNothingIsSent()
    {
        await using var identity = await ManagedIdentityEndpoint.StartAsync();
        identity.RefuseWith = 400;
        await using var smtp = await SmtpServerProcess.StartAsync(new SmtpServerOptions
        {
            Tls = ServerTls.StartTls,
            Certificate = certificates.Localhost,
            XOAuth2Mailbox = Mailbox,
            XOAuth2Tokens = ["token-1"],
        });

        var (exitCode, output) = await NotifierProcess.RunAsync(Environment(identity, smtp), null, null, "deliver", Repo.Path("samples", "events", "repository.pushed.json"));

        Assert.Equal(1, exitCode);
        Assert.Contains("delivered 0, dropped 1, rejected 0", output, StringComparison.Ordinal);
        Assert.Contains("no OAuth2 access token for https://outlook.office365.com/.default could be had from the app's managed identity (system-assigned)", output, StringComparison.Ordinal);
        Assert.Contains("turn on the function app's managed identity", output, StringComparison.Ordinal);
        var request = Assert.Single(identity.Requests.Take(1));
        Assert.Equal("2019-08-01", request.ApiVersion);
        Assert.Equal("https://outlook.office365.com", request.Resource);
        Assert.Equal(ManagedIdentityEndpoint.Secret, request.Header);
        Assert.False(smtp.MailFromEverSent);
        Assert.DoesNotContain(smtp.Sessions, s => s.Commands.Any(c => c.StartsWith("AUTH", StringComparison.Ordinal)));
        Assert.Empty(smtp.Messages);
    }
}
