using Notifier.Smtp.Messages;

namespace Notifier.Smtp;

/// <summary>
/// Sends one message. The only seam between Notifier and the wire: the SMTP client, the outbox writer
/// (local runs) and, one day, a MailKit adapter all implement it.
/// </summary>
public interface IMailTransport
{
    /// <summary>
    /// Sends <paramref name="message"/> to its recipients. Returns when the server accepted the message for
    /// at least one recipient; recipients it refused are listed in the result. Throws
    /// <see cref="SmtpException"/> when nothing was sent.
    /// </summary>
    Task<SendResult> SendAsync(EmailMessage message, CancellationToken cancellationToken = default);
}
