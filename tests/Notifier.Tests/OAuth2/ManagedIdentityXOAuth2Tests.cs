using System.Globalization;
using System.Net;
using System.Text.Json;
using Notifier.Smtp.Tests.Servers;
using Notifier.Tests.Support;

namespace Notifier.Tests.OAuth2;

/// <summary>
/// <c>Mail__Authentication=OAuth2</c> end to end through the real Azure.Identity code path: the <c>notifier</c>
/// process finds a managed identity the way Azure Functions announces one (<c>IDENTITY_ENDPOINT</c>,
/// <c>IDENTITY_HEADER</c>, played by <see cref="ManagedIdentityEndpoint"/> on loopback), and sends to an aiosmtpd
/// server that offers only AUTH XOAUTH2 and checks the exact SASL payload.
/// </summary>
[Trait("Category", "Integration")]
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
    public async Task TheTokenFromTheManagedIdentityIsAcceptedAndReusedForTheNextConnection()
    {
        await using var identity = await ManagedIdentityEndpoint.StartAsync();
        await using var smtp = await StartServerAsync("token-1", "token-2");
        var (process, client) = await ServeAsync(Environment(identity, smtp));
        await using var _ = process;
        using var __ = client;

        var queued = await InvocationAnswer.PostAsync(client, "/PullRequestEvents", HostInvocation.ServiceBus(Repo.Sample("pullrequest.opened"), "oauth-ok", HostEncoding.Binary));
        // The test email opens a connection of its own: it must find the token in the cache.
        var test = await InvocationAnswer.PostAsync(client, "/SendTestEmail", HostInvocation.Http("{\"to\": \"admin@contoso.com\"}"));

        Assert.Equal("delivered", queued.Outcome);
        Assert.Equal(200, test.Outputs.GetProperty("res").GetProperty("statusCode").GetInt32());
        var sessions = smtp.Sessions.Where(s => s.XOAuth2 is not null).ToList();
        Assert.True(sessions.Count >= 2, $"expected the queue function and the test email to sign in: {sessions.Count}");
        Assert.All(sessions, s =>
        {
            Assert.Equal("accepted", s.XOAuth2);
            Assert.Equal(1, s.XOAuth2Token);
            Assert.Equal(Mailbox, s.AuthenticatedAs);
            Assert.True(s.Tls);
        });
        Assert.Contains(smtp.Messages, m => m.RcptTos.SequenceEqual(["admin@contoso.com"]));
        Assert.Single(identity.Requests);
        Assert.DoesNotContain("token-1", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATokenAboutToExpireIsRenewedBeforeTheNextSignIn()
    {
        await using var identity = await ManagedIdentityEndpoint.StartAsync();
        // Inside the five minutes before expiry in which a token is no longer used.
        identity.Lifetime = TimeSpan.FromMinutes(4);
        await using var smtp = await StartServerAsync("token-1", "token-2", "token-3", "token-4", "token-5", "token-6");
        var (process, client) = await ServeAsync(Environment(identity, smtp));
        await using var _ = process;
        using var __ = client;

        var queued = await InvocationAnswer.PostAsync(client, "/PullRequestEvents", HostInvocation.ServiceBus(Repo.Sample("pullrequest.opened"), "oauth-renew", HostEncoding.Binary));
        var test = await InvocationAnswer.PostAsync(client, "/SendTestEmail", HostInvocation.Http("{\"to\": \"admin@contoso.com\"}"));

        Assert.Equal("delivered", queued.Outcome);
        Assert.Equal(200, test.Outputs.GetProperty("res").GetProperty("statusCode").GetInt32());
        // Such a token is never cached: every sign-in asked the endpoint for a new one.
        var signIns = smtp.Sessions.Where(s => s.XOAuth2 is not null).ToList();
        Assert.True(signIns.Count >= 2, $"expected the queue function and the test email to sign in: {signIns.Count}");
        Assert.Equal(signIns.Count, signIns.Select(s => s.XOAuth2Token).Distinct().Count());
        Assert.True(identity.Requests.Count >= signIns.Count, $"the endpoint was asked {identity.Requests.Count} time(s) for {signIns.Count} sign-ins");
    }

    [Fact]
    public async Task ATokenTheServerRefusesIsAskedForAgainOnceThenTheDropSaysToGrantSendAsApp()
    {
        await using var identity = await ManagedIdentityEndpoint.StartAsync();
        await using var smtp = await StartServerAsync("a-token-the-endpoint-never-issues");

        var (exitCode, output) = await DeliverOneAsync(Environment(identity, smtp));

        Assert.Equal(1, exitCode);
        Assert.Contains("delivered 0, dropped 1, rejected 0", output, StringComparison.Ordinal);
        Assert.Contains("SMTP.SendAsApp", output, StringComparison.Ordinal);
        Assert.Contains(Mailbox, output, StringComparison.Ordinal);
        var refused = smtp.Sessions.Where(s => s.XOAuth2 is not null).ToList();
        // The sample push is three emails; each signs in once, and exactly once more after the refusal: never a loop.
        Assert.Contains("3 emails, none sent", output, StringComparison.Ordinal);
        Assert.Equal(3 * 2, refused.Count);
        Assert.Equal(3, output.Split("[3502]").Length - 1);
        Assert.All(refused, s => Assert.Equal("refused token", s.XOAuth2));
        // After the 535 the credentials were asked again with refresh: true (a new Azure.Identity credential; MSAL
        // may still answer from its process-wide managed identity cache) and AUTH was tried once more.
        Assert.Contains("[3502]", output, StringComparison.Ordinal);
        Assert.NotEmpty(identity.Requests);
        Assert.False(smtp.MailFromEverSent);
        Assert.DoesNotContain("token-", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATokenTheServerRefusesIsA502FromTheTestEmailSayingToGrantSendAsApp()
    {
        await using var identity = await ManagedIdentityEndpoint.StartAsync();
        await using var smtp = await StartServerAsync("a-token-the-endpoint-never-issues");
        var (process, client) = await ServeAsync(Environment(identity, smtp));
        await using var _ = process;
        using var __ = client;

        var test = await InvocationAnswer.PostAsync(client, "/SendTestEmail", HostInvocation.Http("{\"to\": \"admin@contoso.com\"}"));

        var res = test.Outputs.GetProperty("res");
        Assert.Equal(502, res.GetProperty("statusCode").GetInt32());
        using var report = JsonDocument.Parse(res.GetProperty("body").GetString()!);
        var error = report.RootElement.GetProperty("error").GetString()!;
        Assert.Contains($"refused the OAuth2 token for the mailbox {Mailbox} (the server said: 535 5.7.3", error, StringComparison.Ordinal);
        Assert.Contains("grant the app's identity the SMTP.SendAsApp permission", error, StringComparison.Ordinal);
        Assert.Contains("SMTP.SendAsApp", report.RootElement.GetProperty("hint").GetString(), StringComparison.Ordinal);
        var failed = report.RootElement.GetProperty("stages").EnumerateArray().Last();
        Assert.Equal("AUTH", failed.GetProperty("stage").GetString());
        Assert.False(failed.GetProperty("ok").GetBoolean());
        Assert.False(smtp.MailFromEverSent);
        Assert.DoesNotContain("token-", process.Output + report.RootElement.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhenTheIdentityEndpointRefusesTheEventIsDroppedNamingIdentityAndScopeAndNothingIsSent()
    {
        await using var identity = await ManagedIdentityEndpoint.StartAsync();
        identity.RefuseWith = 400;
        await using var smtp = await StartServerAsync("token-1");

        var (exitCode, output) = await DeliverOneAsync(Environment(identity, smtp));

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

    [Fact]
    public async Task InTheHandlerAnEndpointThatRefusesIsADropReasonAndTheTestEmailAnswers503()
    {
        await using var identity = await ManagedIdentityEndpoint.StartAsync();
        identity.RefuseWith = 400;
        await using var smtp = await StartServerAsync("token-1");
        var (process, client) = await ServeAsync(Environment(identity, smtp));
        await using var _ = process;
        using var __ = client;

        var queued = await InvocationAnswer.PostAsync(client, "/PullRequestEvents", HostInvocation.ServiceBus(Repo.Sample("pullrequest.opened"), "oauth-1", HostEncoding.Binary));
        var test = await InvocationAnswer.PostAsync(client, "/SendTestEmail", HostInvocation.Http("{\"to\": \"admin@contoso.com\"}"));

        Assert.Equal(HttpStatusCode.OK, queued.Status);
        Assert.Equal("dropped", queued.Outcome);
        Assert.Contains(queued.Logs, l => l.Contains("no OAuth2 access token for https://outlook.office365.com/.default could be had from the app's managed identity (system-assigned)", StringComparison.Ordinal));
        var res = test.Outputs.GetProperty("res");
        Assert.Equal(503, res.GetProperty("statusCode").GetInt32());
        using var report = JsonDocument.Parse(res.GetProperty("body").GetString()!);
        Assert.Contains("the app's managed identity (system-assigned)", report.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("turn on the function app's managed identity", report.RootElement.GetProperty("hint").GetString(), StringComparison.Ordinal);
        Assert.False(smtp.MailFromEverSent);
        Assert.All(identity.Requests, r => Assert.Equal("https://outlook.office365.com", r.Resource));
    }

    [Fact]
    public async Task AUserAssignedIdentityIsAskedForByItsClientIdAndNamedInTheReason()
    {
        await using var identity = await ManagedIdentityEndpoint.StartAsync();
        identity.RefuseWith = 400;
        await using var smtp = await StartServerAsync();
        var environment = Environment(identity, smtp);
        environment["AZURE_CLIENT_ID"] = "5d1e7c2a-9b8f-4a3e-b6d4-2c1f0e9d8a7b";
        environment["Mail__OAuth2__Scope"] = "https://outlook.office.com/.default";

        var (_, output) = await DeliverOneAsync(environment);

        Assert.Contains("no OAuth2 access token for https://outlook.office.com/.default could be had from the app's managed identity (user-assigned, client id 5d1e7c2a-9b8f-4a3e-b6d4-2c1f0e9d8a7b)", output, StringComparison.Ordinal);
        var request = identity.Requests[0];
        Assert.Equal("5d1e7c2a-9b8f-4a3e-b6d4-2c1f0e9d8a7b", request.ClientId);
        Assert.Equal("https://outlook.office.com", request.Resource);
    }

    [Fact]
    public async Task OverAnUnencryptedConnectionTheTokenIsNeverSent()
    {
        await using var identity = await ManagedIdentityEndpoint.StartAsync();
        await using var smtp = await SmtpServerProcess.StartAsync(new SmtpServerOptions { XOAuth2Mailbox = Mailbox, XOAuth2Tokens = ["token-1"], AllowPlaintextAuth = true });
        var environment = Environment(identity, smtp);
        environment["Mail__Tls"] = "IfAvailable";

        var (exitCode, output) = await DeliverOneAsync(environment);

        Assert.Equal(1, exitCode);
        Assert.Contains("delivered 0, dropped 1, rejected 0", output, StringComparison.Ordinal);
        Assert.Contains("unencrypted", output, StringComparison.Ordinal);
        Assert.DoesNotContain(smtp.Sessions, s => s.Commands.Any(c => c.StartsWith("AUTH", StringComparison.Ordinal)));
        Assert.Empty(smtp.Messages);
        Assert.DoesNotContain("token-", output, StringComparison.Ordinal);
    }

    /// <summary>An aiosmtpd server with STARTTLS that offers only AUTH XOAUTH2 for <see cref="Mailbox"/> and accepts <paramref name="tokens"/>.</summary>
    private Task<SmtpServerProcess> StartServerAsync(params string[] tokens) =>
        SmtpServerProcess.StartAsync(new SmtpServerOptions
        {
            Tls = ServerTls.StartTls,
            Certificate = certificates.Localhost,
            XOAuth2Mailbox = Mailbox,
            XOAuth2Tokens = tokens,
        });

    /// <summary><c>notifier deliver</c> of one sample event (a push: three emails, sent at once).</summary>
    private static Task<(int ExitCode, string Output)> DeliverOneAsync(Dictionary<string, string?> environment) =>
        NotifierProcess.RunAsync(environment, null, null, "deliver", Repo.Path("samples", "events", "repository.pushed.json"));

    private static Task<(NotifierProcess Process, HttpClient Client)> ServeAsync(Dictionary<string, string?> environment) =>
        NotifierProcess.ServeAsync(environment);
}
