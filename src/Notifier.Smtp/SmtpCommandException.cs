
namespace Notifier.Smtp;

/// <summary>
/// The server said no: it answered a command with a 4xx or 5xx reply. The conversation itself is intact.
/// </summary>
public class SmtpCommandException : SmtpException
{
    public SmtpCommandException(
        string message,
        SmtpReplyCode code,
        string? enhancedStatus,
        string reply,
        string? mailbox = null,
        string? hint = null,
        Exception? innerException = null)
        : base(message, hint, innerException)
    {
        Code = code;
        EnhancedStatus = enhancedStatus;
        Reply = reply;
        Mailbox = mailbox;
    }

    /// <summary>The reply code, e.g. <see cref="SmtpReplyCode.MailboxUnavailable"/> (550).</summary>
    public SmtpReplyCode Code { get; }

    /// <summary>The RFC 3463 enhanced status code, e.g. <c>5.1.1</c>; null when the server sent none.</summary>
    public string? EnhancedStatus { get; }

    /// <summary>The server's reply as it was sent, lines joined with a space.</summary>
    public string Reply { get; }

    /// <summary>The mailbox the refused command named (MAIL FROM or RCPT TO), if any.</summary>
    public string? Mailbox { get; }

    /// <summary>True for 4xx replies: the server may accept the same command later.</summary>
    public bool IsTransient => (int)Code is >= 400 and < 500;
}
