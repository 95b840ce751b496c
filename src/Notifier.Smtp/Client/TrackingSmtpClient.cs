using MailKit;
using MailKit.Net.Smtp;
using MimeKit;
using MimeKit.IO;

namespace Notifier.Smtp.Client;

/// <summary>
/// MailKit's client with the hooks Notifier needs: a refused recipient is noted (with the server's reply)
/// instead of failing the whole message, and a message over the server's SIZE limit is refused before
/// MAIL FROM. A 421 to RCPT still fails the send: the server is closing the session.
/// </summary>
internal sealed class TrackingSmtpClient(IProtocolLogger protocolLogger) : MailKit.Net.Smtp.SmtpClient(protocolLogger)
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
