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

    /// <summary>
    /// Gets ready for the first message without sending anything (the SMTP client opens one pooled
    /// connection: TLS, credentials and AUTH included). Throws what that attempt threw; the caller decides
    /// whether it matters. Transports with nothing to prepare do nothing.
    /// </summary>
    Task PrepareAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;
}
