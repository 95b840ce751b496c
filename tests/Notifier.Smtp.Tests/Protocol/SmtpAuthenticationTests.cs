using System.Text;
using Notifier.Smtp.Options;
using Notifier.Smtp.Protocol;
using Notifier.Smtp.Tests.Support;
using static Notifier.Smtp.Tests.Support.SmtpTesting;

namespace Notifier.Smtp.Tests.Protocol;

public sealed class SmtpAuthenticationTests
{
    private const string User = "bitbucket-mailer";
    private const string Password = "s3cr3t-Pa55word!";

    private static readonly SmtpCredentials Credentials = new(User, Password);

    private static string Plain => Convert.ToBase64String(Encoding.UTF8.GetBytes("\0" + User + "\0" + Password));

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    public static TheoryData<bool> Delivery => new() { false, true };

    [Theory]
    [MemberData(nameof(Delivery))]
    public async Task PlainIsPreferredWhenOffered(bool oneByteAtATime)
    {
        var server = new TranscriptStream(oneByteAtATime)
            .Greet("AUTH LOGIN PLAIN")
            .Expect("AUTH PLAIN " + Plain).Reply("235 2.7.0 Authentication successful");
        await using var connection = Connection(server, TestOptions(o => o.AllowPlaintextAuth = true));

        await connection.EstablishAsync(Credentials, null, CancellationToken.None);

        server.AssertCompleted();
        Assert.Equal("PLAIN", connection.AuthMechanismUsed);
    }

    [Theory]
    [MemberData(nameof(Delivery))]
    public async Task LoginIsUsedWhenPlainIsNotOffered(bool oneByteAtATime)
    {
        var server = new TranscriptStream(oneByteAtATime)
            .Greet("AUTH=LOGIN")
            .Expect("AUTH LOGIN").Reply("334 VXNlcm5hbWU6")
            .Expect(B64(User)).Reply("334 UGFzc3dvcmQ6")
            .Expect(B64(Password)).Reply("235 2.7.0 ok");
        await using var connection = Connection(server, TestOptions(o => o.AllowPlaintextAuth = true));

        await connection.EstablishAsync(Credentials, null, CancellationToken.None);

        server.AssertCompleted();
        Assert.Equal("LOGIN", connection.AuthMechanismUsed);
    }

    [Fact]
    public async Task PlainWithAnEmptyChallengeSendsTheResponseAfterIt()
    {
        var server = new TranscriptStream()
            .Greet("AUTH PLAIN")
            .Expect("AUTH PLAIN " + Plain).Reply("334 ")
            .Expect(Plain).Reply("235 ok");
        await using var connection = Connection(server, TestOptions(o => o.AllowPlaintextAuth = true));

        await connection.EstablishAsync(Credentials, null, CancellationToken.None);

        server.AssertCompleted();
    }

    [Fact]
    public async Task AnonymousSessionSendsNoAuth()
    {
        var server = new TranscriptStream().Greet("AUTH PLAIN LOGIN");
        await using var connection = Connection(server);

        await connection.EstablishAsync(null, null, CancellationToken.None);

        server.AssertCompleted();
        Assert.Null(connection.AuthMechanismUsed);
        Assert.DoesNotContain(server.ClientLines, l => l.StartsWith("AUTH", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NoAuthOverAnUnencryptedConnection()
    {
        var server = new TranscriptStream().Greet("AUTH PLAIN LOGIN").Expect("QUIT").Reply("221 bye");
        await using var connection = Connection(server, TestOptions(o => o.Tls = MailTls.IfAvailable));

        var error = await Assert.ThrowsAsync<SmtpException>(() => connection.EstablishAsync(Credentials, null, CancellationToken.None));

        server.AssertCompleted();
        Assert.DoesNotContain(server.ClientLines, l => l.StartsWith("AUTH", StringComparison.Ordinal));
        Assert.Contains("unencrypted connection: nothing was sent", error.Message, StringComparison.Ordinal);
        Assert.Contains("Mail__AllowPlaintextAuth=true", error.Hint, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Delivery))]
    public async Task RefusedCredentialsRaiseAnAuthenticationException(bool oneByteAtATime)
    {
        var server = new TranscriptStream(oneByteAtATime)
            .Greet("AUTH PLAIN", "ENHANCEDSTATUSCODES")
            .Expect("AUTH PLAIN " + Plain).Reply("535 5.7.8 Error: authentication failed: bad credentials");
        await using var connection = Connection(server, TestOptions(o => o.AllowPlaintextAuth = true));

        var error = await Assert.ThrowsAsync<SmtpAuthenticationException>(() => connection.EstablishAsync(Credentials, null, CancellationToken.None));

        Assert.Equal("authentication failed (535 5.7.8): check the username and password", error.Message);
        Assert.Equal(SmtpReplyCode.AuthenticationInvalidCredentials, error.Code);
        Assert.Contains("Mail__Username", error.Hint, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Plain, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerWithoutAuthIsAConfigurationError()
    {
        var server = new TranscriptStream().Greet("PIPELINING").Expect("QUIT").Reply("221 bye");
        await using var connection = Connection(server, TestOptions(o => o.AllowPlaintextAuth = true));

        var error = await Assert.ThrowsAsync<SmtpException>(() => connection.EstablishAsync(Credentials, null, CancellationToken.None));

        Assert.Contains("does not offer AUTH", error.Message, StringComparison.Ordinal);
        Assert.Contains("Mail__Username", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerWithOnlyUnsupportedMechanismsIsNamed()
    {
        var server = new TranscriptStream().Greet("AUTH CRAM-MD5 XOAUTH2").Expect("QUIT").Reply("221 bye");
        await using var connection = Connection(server, TestOptions(o => o.AllowPlaintextAuth = true));

        var error = await Assert.ThrowsAsync<SmtpException>(() => connection.EstablishAsync(Credentials, null, CancellationToken.None));

        Assert.Contains("offers AUTH CRAM-MD5 XOAUTH2, but Notifier speaks only PLAIN and LOGIN", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CredentialsNeverReachTheProtocolLog()
    {
        var logger = new CapturingLogger<SmtpAuthenticationTests>();
        var plain = new TranscriptStream()
            .Greet("AUTH PLAIN")
            .Expect("AUTH PLAIN " + Plain).Reply("334 ")
            .Expect(Plain).Reply("535 5.7.8 failed");
        var login = new TranscriptStream()
            .Greet("AUTH LOGIN")
            .Expect("AUTH LOGIN").Reply("334 VXNlcm5hbWU6")
            .Expect(B64(User)).Reply("334 UGFzc3dvcmQ6")
            .Expect(B64(Password)).Reply("235 ok");
        var options = TestOptions(o => o.AllowPlaintextAuth = true);

        await using (var connection = Connection(plain, options, logger))
        {
            await Assert.ThrowsAsync<SmtpAuthenticationException>(() => connection.EstablishAsync(Credentials, null, CancellationToken.None));
        }

        await using (var connection = Connection(login, options, logger))
        {
            await connection.EstablishAsync(Credentials, null, CancellationToken.None);
        }

        var log = logger.Text;
        Assert.Contains("C: AUTH PLAIN (credentials redacted)", log, StringComparison.Ordinal);
        Assert.Contains("C: AUTH LOGIN", log, StringComparison.Ordinal);
        foreach (var secret in new[] { User, Password, Plain, B64(User), B64(Password), "VXNlcm5hbWU6", "UGFzc3dvcmQ6" })
        {
            Assert.DoesNotContain(secret, log, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void CredentialsDoNotPrintThemselves()
    {
        Assert.DoesNotContain(Password, Credentials.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(User, Credentials.ToString(), StringComparison.Ordinal);
    }
}
