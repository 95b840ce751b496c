namespace Notifier.Smtp;

/// <summary>
/// A username and its secret for SMTP AUTH: a password, or an OAuth 2.0 access token when
/// <see cref="Kind"/> says so (the username is then the mailbox). <see cref="ToString"/> never shows the secret.
/// </summary>
public sealed record SmtpCredentials(string Username, string Password, SmtpCredentialKind Kind = SmtpCredentialKind.Password)
{
    /// <summary>Credentials for SASL XOAUTH2: <paramref name="mailbox"/> as the user and a bearer token.</summary>
    public static SmtpCredentials ForOAuth2(string mailbox, string accessToken) =>
        new(mailbox, accessToken, SmtpCredentialKind.OAuth2AccessToken);

    /// <summary>Redacted: credentials must never reach a log, even by accident.</summary>
    public override string ToString() => $"SmtpCredentials {{ Username = (set), {Kind} = (redacted) }}";
}
