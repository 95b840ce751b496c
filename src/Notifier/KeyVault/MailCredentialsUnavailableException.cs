using Notifier.Smtp;

namespace Notifier.KeyVault;

/// <summary>
/// The mail username and password could not be read (Key Vault unreachable, access denied, secret missing),
/// or no OAuth2 access token could be had for the mailbox (the message names the identity and the scope).
/// An <see cref="SmtpException"/> because nothing was sent: the pipeline drops the event with this reason,
/// and the test email reports it plainly.
/// </summary>
public sealed class MailCredentialsUnavailableException : SmtpException
{
    public MailCredentialsUnavailableException(string message, string hint, Exception? innerException = null)
        : base(message, hint, innerException)
    {
    }

    /// <summary>What went wrong, without the scope, identity and outcome the message wraps it in (when it does).</summary>
    public string? Reason { get; init; }
}
