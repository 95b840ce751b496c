using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Notifier.Smtp.Messages;
using Notifier.Smtp.Options;
using Notifier.Smtp.Protocol;
using Notifier.Smtp.Tls;

namespace Notifier.Smtp.Tests.Support;

internal static class SmtpTesting
{
    public static MailOptions TestOptions(Action<MailOptions>? change = null)
    {
        var options = new MailOptions
        {
            Host = "mail.example.com",
            From = "Notifier <noreply@example.com>",
            Tls = MailTls.None,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            CommandTimeout = TimeSpan.FromSeconds(10),
        };
        change?.Invoke(options);
        return options;
    }

    public static SmtpConnection Connection(Stream stream, MailOptions? options = null, ILogger? logger = null, X509Certificate2Collection? trusted = null) =>
        new(stream, options ?? TestOptions(), new CertificateValidator(trusted ?? []), logger ?? NullLogger.Instance);

    public static Mailbox From { get; } = new("noreply@example.com");

    public static Mailbox Jane { get; } = new("jane@example.com");

    public static Mailbox Joe { get; } = new("joe@example.com");

    /// <summary>A small message as the MIME writer would produce it (CRLF, 7-bit); tests only.</summary>
    public static byte[] Message(string body = "Hello.") =>
        Encoding.UTF8.GetBytes("From: noreply@example.com\r\nTo: jane@example.com\r\nSubject: test\r\n\r\n" + body + "\r\n");

    /// <summary>What the server sees for <see cref="Message"/> (no stuffing needed for the default body).</summary>
    public static string Received(string body = "Hello.") =>
        "From: noreply@example.com\r\nTo: jane@example.com\r\nSubject: test\r\n\r\n" + body + "\r\n";
}
