using Microsoft.Extensions.Logging.Abstractions;
using Notifier.Smtp.Options;
using Notifier.Smtp.Tests.Servers;
using Notifier.Smtp.Tests.Support;
using Xunit.Abstractions;
using static Notifier.Smtp.Tests.Integration.IntegrationSupport;

namespace Notifier.Smtp.Tests.Integration;

/// <summary>
/// Signing in, as Exchange Online and other servers answer it: passwords (PLAIN), OAuth 2.0 tokens (SASL
/// XOAUTH2 only), and the refusals an admin must be able to act on, each with the server's own explanation.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SmtpAuthenticationTests(ServerCertificates certificates, ITestOutputHelper output) : IClassFixture<ServerCertificates>
{
    private const string Mailbox = "notifier@contoso.example";
    private const string Token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.test-token.signature";

    [Fact]
    public async Task ATokenIsSentWithXOAuth2AsTheExactSaslPayload()
    {
        await using var server = await StartTlsServerAsync(new SmtpServerOptions { XOAuth2Mailbox = Mailbox, XOAuth2Tokens = [Token] });
        await using var transport = OAuthTransport(server, SmtpCredentials.ForOAuth2(Mailbox, Token));

        await transport.SendAsync(Message());

        var session = Assert.Single(server.Sessions);
        Assert.Equal("accepted", session.XOAuth2);
        Assert.Contains("AUTH XOAUTH2", session.Commands);
        Assert.Equal(Mailbox, Assert.Single(server.Messages).AuthenticatedAs);
    }

    [Fact]
    public async Task ARefusedTokenSaysToGrantSendAsAppAndAnswersTheErrorChallenge()
    {
        await using var server = await StartTlsServerAsync(new SmtpServerOptions { XOAuth2Mailbox = Mailbox, XOAuth2Tokens = [Token] });
        await using var transport = OAuthTransport(server, SmtpCredentials.ForOAuth2(Mailbox, "expired-token"));

        var error = await Assert.ThrowsAsync<SmtpAuthenticationException>(() => transport.SendAsync(Message()));

        output.WriteLine(Told(error));
        // The server sends its 535 only after the client answered the error challenge with an empty line.
        AssertTold(
            error,
            $"localhost refused the OAuth2 token for the mailbox {Mailbox} (the server said: 535 5.7.3 Authentication unsuccessful [test-smtp.localhost]; " +
            "its error report: {\"status\": \"401\", \"schemes\": \"bearer\", \"scope\": \"https://outlook.office365.com/.default\"}): " +
            $"grant the app's identity the SMTP.SendAsApp permission and access to the mailbox {Mailbox}");
        Assert.Equal(SmtpReplyCode.AuthenticationInvalidCredentials, error.Code);
        Assert.DoesNotContain("expired-token", error.ToString(), StringComparison.Ordinal);
        Assert.All(server.Sessions, s => Assert.Equal("refused token", s.XOAuth2));
        Assert.False(server.MailFromEverSent);
    }

    [Fact]
    public async Task AServerWithoutXOAuth2IsNamedAndNoTokenIsSent()
    {
        await using var server = await StartTlsServerAsync(new SmtpServerOptions { Auth = Credentials });
        await using var transport = OAuthTransport(server, SmtpCredentials.ForOAuth2(Mailbox, Token));

        var error = await Assert.ThrowsAsync<SmtpException>(() => transport.SendAsync(Message()));

        output.WriteLine(Told(error));
        AssertTold(error, "does not offer AUTH XOAUTH2", "PLAIN", "Mail__Authentication=OAuth2");
        Assert.All(server.Sessions, s => Assert.DoesNotContain(s.Commands, c => c.StartsWith("AUTH", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ATokenIsRefusedOverAnUnencryptedConnectionLikeAPassword()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { XOAuth2Mailbox = Mailbox, XOAuth2Tokens = [Token], AllowPlaintextAuth = true });
        await using var transport = new SmtpTransport(
            Settings(server, tls: MailTls.IfAvailable), NullLogger<SmtpTransport>.Instance, credentials: new FixedCredentials(SmtpCredentials.ForOAuth2(Mailbox, Token)));

        var error = await Assert.ThrowsAsync<SmtpException>(() => transport.SendAsync(Message()));

        output.WriteLine(Told(error));
        AssertTold(error, "refusing to send the OAuth2 access token to localhost over an unencrypted connection: nothing was sent", "Mail__AllowPlaintextAuth");
        Assert.All(server.Sessions, s => Assert.DoesNotContain(s.Commands, c => c.StartsWith("AUTH", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task APasswordRefusedBecauseBasicAuthenticationIsOffSaysToUseOAuth2()
    {
        await using var server = await StartTlsServerAsync(new SmtpServerOptions { Auth = Credentials, Faults = ["auth-basic-disabled"] });

        var error = await SendExpectingFailureAsync<SmtpAuthenticationException>(Settings(server, tls: MailTls.Always, authenticate: true, trusted: certificates.AuthorityPath));

        output.WriteLine(Told(error));
        Assert.IsType<SmtpAuthenticationException>(error);
        AssertTold(
            error,
            "authentication failed (535 5.7.139): the tenant has Basic authentication (username and password) for SMTP turned off; use Mail__Authentication=OAuth2 " +
            "(the server said: 535 5.7.139 Authentication unsuccessful, basic authentication is disabled.");
        Assert.DoesNotContain("check the username and password", error.Message, StringComparison.Ordinal);
        Assert.Contains(server.Sessions, s => s.Commands.Contains("AUTH PLAIN") || s.Commands.Contains("AUTH LOGIN"));
        Assert.False(server.MailFromEverSent);
    }

    [Fact]
    public async Task AWrongPasswordSaysToCheckItAndQuotesTheServer()
    {
        await using var server = await StartTlsServerAsync(new SmtpServerOptions { Auth = Credentials, Faults = ["auth-fail"] });

        var error = await SendExpectingFailureAsync<SmtpAuthenticationException>(Settings(server, tls: MailTls.Always, authenticate: true, trusted: certificates.AuthorityPath));

        AssertTold(error, "authentication failed (535 5.7.8): check the username and password", "the server said: 535 5.7.8 Authentication credentials invalid");
    }

    [Fact]
    public async Task A530ToMailFromSaysToConfigureCredentialsNotToFixTheSender()
    {
        await using var server = await StartTlsServerAsync(new SmtpServerOptions { Auth = Credentials });

        var error = await SendExpectingFailureAsync<SmtpCommandException>(Settings(server, tls: MailTls.Always, trusted: certificates.AuthorityPath));

        output.WriteLine(Told(error));
        var refusal = Assert.IsType<SmtpCommandException>(error);
        Assert.Equal(SmtpReplyCode.AuthenticationRequired, refusal.Code);
        AssertTold(
            error,
            "localhost accepts mail only from clients that sign in (530 5.7.0 Authentication required): set Mail__Username and Mail__Password, or Mail__Authentication=OAuth2",
            "not a problem with Mail__From");
        // The refusal came to MAIL FROM itself: the client did send it, and nothing after it was accepted.
        Assert.True(server.MailFromEverSent);
        Assert.Empty(server.Messages);
    }

    [Fact]
    public async Task TheProtocolLogNeverHoldsTheSecret()
    {
        await using var server = await StartTlsServerAsync(new SmtpServerOptions { Auth = Credentials });
        var logger = new CapturingLogger<SmtpTransport>();
        await using (var transport = new SmtpTransport(Settings(server, tls: MailTls.Always, authenticate: true, trusted: certificates.AuthorityPath), logger))
        {
            await transport.SendAsync(Message());
        }

        var plain = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"\0{User}\0{Password}"));
        Assert.Contains("AUTH PLAIN (credentials redacted)", logger.Text, StringComparison.Ordinal);
        Assert.Contains("(message content, ", logger.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, logger.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(plain, logger.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APasswordIsSentWithLoginWhenTheServerOffersLoginAlone()
    {
        await using var server = await StartTlsServerAsync(new SmtpServerOptions { Auth = Credentials, AuthMechanisms = ["LOGIN"] });
        var logger = new CapturingLogger<SmtpTransport>();
        await using (var transport = new SmtpTransport(Settings(server, tls: MailTls.Always, authenticate: true, trusted: certificates.AuthorityPath), logger))
        {
            await transport.SendAsync(Message());
        }

        var session = Assert.Single(server.Sessions);
        Assert.Equal("LOGIN", session.AuthMechanism);
        Assert.Contains("AUTH LOGIN", session.Commands);
        Assert.DoesNotContain("AUTH PLAIN", session.Commands);
        Assert.Equal(User, Assert.Single(server.Messages).AuthenticatedAs);
        Assert.Contains("AUTH LOGIN (credentials redacted)", logger.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, logger.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Password)), logger.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(User)), logger.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheProtocolLogShowsPlaceholdersForTheTokenAndTheErrorChallenge()
    {
        await using var server = await StartTlsServerAsync(new SmtpServerOptions { XOAuth2Mailbox = Mailbox, XOAuth2Tokens = [Token] });
        const string refused = "expired-token-4711";
        var logger = new CapturingLogger<SmtpTransport>();
        await using (var transport = new SmtpTransport(
            Settings(server, tls: MailTls.Always, trusted: certificates.AuthorityPath), logger, credentials: new FixedCredentials(SmtpCredentials.ForOAuth2(Mailbox, refused))))
        {
            await Assert.ThrowsAsync<SmtpAuthenticationException>(() => transport.SendAsync(Message()));
        }

        // What smtp_server.py sends as Exchange Online does: the JSON error report, base64-encoded, in a 334.
        var challenge = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(
            "{\"status\": \"401\", \"schemes\": \"bearer\", \"scope\": \"https://outlook.office365.com/.default\"}"));
        var payload = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"user={Mailbox}\u0001auth=Bearer {refused}\u0001\u0001"));
        var lines = logger.Lines.ToList();
        output.WriteLine(string.Join('\n', lines.Where(l => l.StartsWith("Trace ", StringComparison.Ordinal))));
        Assert.Contains("Trace 2000 C: AUTH XOAUTH2 (credentials redacted) ", lines);
        Assert.Contains("Trace 2001 S: 334 (challenge) ", lines);
        Assert.Contains("Trace 2001 S: 535 5.7.3 Authentication unsuccessful [test-smtp.localhost] ", lines);
        Assert.DoesNotContain(challenge, logger.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(refused, logger.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(payload, logger.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(lines, l => l.StartsWith("Trace ", StringComparison.Ordinal) && l.Contains("outlook.office365.com", StringComparison.Ordinal));
    }

    private Task<SmtpServerProcess> StartTlsServerAsync(SmtpServerOptions options) =>
        SmtpServerProcess.StartAsync(options with { Tls = ServerTls.StartTls, Certificate = certificates.Localhost });

    private SmtpTransport OAuthTransport(SmtpServerProcess server, SmtpCredentials credentials) =>
        new(Settings(server, tls: MailTls.Always, trusted: certificates.AuthorityPath), NullLogger<SmtpTransport>.Instance, credentials: new FixedCredentials(credentials));

    private sealed class FixedCredentials(SmtpCredentials credentials) : ISmtpCredentialProvider
    {
        public ValueTask<SmtpCredentials?> GetCredentialsAsync(bool refresh, CancellationToken cancellationToken) => ValueTask.FromResult<SmtpCredentials?>(credentials);
    }
}
