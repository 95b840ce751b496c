using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MailKit;
using MailKit.Net.Smtp;
using MimeKit;
using MimeKit.IO;

namespace Notifier.Smtp.Client;

/// <summary>
/// MailKit's client with the hooks Notifier needs: a refused recipient is noted (with the server's reply)
/// instead of failing the whole message, and a message over the server's SIZE limit is refused before
/// MAIL FROM. A 421 to RCPT still fails the send: the server is closing the session. The handshake finds
/// issuers among the extra trusted certificates instead of downloading them.
/// </summary>
internal sealed class TrackingSmtpClient(IProtocolLogger protocolLogger, X509Certificate2Collection trusted) : MailKit.Net.Smtp.SmtpClient(protocolLogger)
{
    public List<(MailboxAddress Mailbox, SmtpResponse Response)> Refused { get; } = [];

    /// <summary>The size of the last message measured for SIZE, in bytes; -1 when the server does not offer SIZE.</summary>
    public long LastSize { get; private set; } = -1;

    protected override void OnRecipientNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response)
    {
        if (response.StatusCode == SmtpStatusCode.ServiceNotAvailable)
        {
            base.OnRecipientNotAccepted(message, mailbox, response);
        }

        Refused.Add((mailbox, response));
    }

    /// <summary>
    /// The chain .NET builds during the handshake looks for the server certificate's issuer among the extra
    /// trusted certificates (<c>Mail__TrustedCertificatesPath</c>) first: a private CA is not in the system store,
    /// so .NET would otherwise download it from the certificate's AIA URL, and an internal URL that drops
    /// packets holds every handshake for about 15 s. Revocation stays unchecked.
    /// </summary>
    protected override SslClientAuthenticationOptions GetSslClientAuthenticationOptions(string host, RemoteCertificateValidationCallback certificateValidationCallback)
    {
        var options = base.GetSslClientAuthenticationOptions(host, certificateValidationCallback);
        if (trusted.Count > 0)
        {
            var policy = new X509ChainPolicy { RevocationMode = X509RevocationMode.NoCheck };
            policy.ExtraStore.AddRange(trusted);
            options.CertificateChainPolicy = policy;
        }

        return options;
    }

    /// <summary>
    /// The size for SIZE, measured without writing the message a second time: MimeKit writes the headers to a
    /// counter, and our text parts add their byte counts (MailKit's own measure copies every body through
    /// MimeKit's filters). A message over the server's limit is refused here, before MAIL FROM.
    /// </summary>
    protected override Task<long> GetSizeAsync(FormatOptions options, MimeMessage message, CancellationToken cancellationToken) =>
        Task.FromResult(GetSize(options, message, cancellationToken));

    protected override long GetSize(FormatOptions options, MimeMessage message, CancellationToken cancellationToken)
    {
        using var measure = new MeasuringStream();
        message.WriteTo(options, measure, cancellationToken);
        var size = measure.Length;
        LastSize = size;
        if (MaxSize > 0 && size > MaxSize)
        {
            throw new MessageTooLargeException(size, MaxSize);
        }

        return size;
    }
}
