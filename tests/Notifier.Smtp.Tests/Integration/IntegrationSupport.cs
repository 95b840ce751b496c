using Microsoft.Extensions.Logging.Abstractions;
using Notifier.Smtp.Messages;
using Notifier.Smtp.Options;
using Notifier.Smtp.Tests.Servers;

namespace Notifier.Smtp.Tests.Integration;

/// <summary>Settings and messages shared by the tests that talk to real server processes.</summary>
internal static class IntegrationSupport
{
    public const string User = "notifier";

    /// <summary>Never appears in any exception message, log or server record.</summary>
    public const string Password = "s3cret-Pa55word!";

    public const string Credentials = User + ":" + Password;

    public static readonly Mailbox Alice = new("alice@example.com", "Alice Émile");

    public static readonly Mailbox Bob = new("bob@example.com", "Bob");

    public static MailOptions Settings(
        SmtpServerProcess server,
        MailProtocol protocol = MailProtocol.Smtp,
        MailTls tls = MailTls.IfAvailable,
        bool authenticate = false,
        string? trusted = null,
        bool allowPlaintextAuth = false,
        TimeSpan? commandTimeout = null) =>
        new()
        {
            Host = "localhost",
            Port = server.Port,
            Protocol = protocol,
            Tls = tls,
            Username = authenticate ? User : null,
            Password = authenticate ? Password : null,
            From = "Code Review <noreply@example.com>",
            TrustedCertificatesPath = trusted,
            AllowPlaintextAuth = allowPlaintextAuth,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            CommandTimeout = commandTimeout ?? TimeSpan.FromSeconds(10),
            MaxConnections = 2,
        };

    public static SmtpTransport Transport(MailOptions options) => new(options, NullLogger<SmtpTransport>.Instance);

    public static EmailMessage Message(string subject = "Pull request #42: Café ☕", params Mailbox[] to) => new()
    {
        From = new Mailbox("noreply@example.com", "Code Review"),
        To = to.Length == 0 ? [Alice] : to,
        Subject = subject,
        TextBody = "Hello,\n\nAlice approved your pull request.\n",
        HtmlBody = "<p>Hello,</p><p>Alice approved your pull request.</p>",
        Headers = [new("Auto-Submitted", "auto-generated")],
    };

    /// <summary>
    /// Sends and returns the error, failing the test when the send succeeded or failed with another type than
    /// exactly <typeparamref name="TException"/>: the type is part of the contract (the circuit breaker counts
    /// only <see cref="SmtpProtocolException"/>, and a plain <see cref="SmtpException"/> means the settings forbid going on).
    /// </summary>
    public static async Task<TException> SendExpectingFailureAsync<TException>(MailOptions options, EmailMessage? message = null)
        where TException : SmtpException
    {
        await using var transport = Transport(options);
        return await Assert.ThrowsAsync<TException>(() => transport.SendAsync(message ?? Message()));
    }

    /// <summary>What an admin reads: the message and the hint together.</summary>
    public static string Told(SmtpException error) => $"{error.Message} | {error.Hint}";

    /// <summary>Asserts that the admin was told each fragment, showing the whole text when not.</summary>
    public static void AssertTold(SmtpException error, params string[] fragments)
    {
        var told = Told(error);
        foreach (var fragment in fragments)
        {
            Assert.True(told.Contains(fragment, StringComparison.OrdinalIgnoreCase), $"The admin was not told '{fragment}'. They were told: {told}");
        }
    }
}
