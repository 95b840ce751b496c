
namespace Notifier.Smtp;

/// <summary>
/// The server refused the credentials (typically 535 5.7.8). Its own type because callers that read
/// credentials from a secret store refresh them once on this error (see <see cref="ISmtpCredentialProvider"/>).
/// </summary>
public sealed class SmtpAuthenticationException : SmtpCommandException
{
    public SmtpAuthenticationException(string message, SmtpReplyCode code, string? enhancedStatus, string reply, string? hint = null)
        : base(message, code, enhancedStatus, reply, mailbox: null, hint)
    {
    }
}
