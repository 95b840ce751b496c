namespace Notifier.Smtp;

/// <summary>
/// Supplies SMTP credentials from somewhere other than <c>Mail__Username</c>/<c>Mail__Password</c>, e.g. Key
/// Vault. The transport asks once per new connection with <c>refresh: false</c> (cache freely). When the
/// server refuses the credentials (<see cref="SmtpAuthenticationException"/>), the transport asks once more
/// with <c>refresh: true</c> (bypass the cache: the secret may have been rotated) and retries AUTH once on a
/// fresh connection; a second refusal is reported to the caller.
/// </summary>
public interface ISmtpCredentialProvider
{
    /// <summary>Returns the credentials, or null to connect anonymously (no AUTH).</summary>
    ValueTask<SmtpCredentials?> GetCredentialsAsync(bool refresh, CancellationToken cancellationToken);
}
