namespace Notifier.Smtp;

/// <summary>What the secret in <see cref="SmtpCredentials"/> is, and so which SASL mechanisms may carry it.</summary>
public enum SmtpCredentialKind
{
    /// <summary>A password: AUTH PLAIN or LOGIN.</summary>
    Password,

    /// <summary>An OAuth 2.0 access token for the mailbox named by the username: AUTH XOAUTH2.</summary>
    OAuth2AccessToken,
}
