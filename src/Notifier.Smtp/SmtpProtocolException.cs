namespace Notifier.Smtp;

/// <summary>
/// The conversation is broken: the connection could not be made or was lost, TLS failed, a reply was
/// malformed or did not arrive in time. The connection it happened on is dropped, never reused.
/// </summary>
public class SmtpProtocolException : SmtpException
{
    public SmtpProtocolException(string message, string? hint = null, Exception? innerException = null)
        : base(message, hint, innerException)
    {
    }
}
