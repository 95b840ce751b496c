namespace Notifier.Smtp.Options;

/// <summary>How the client signs in to the mail server (<c>Mail__Authentication</c>).</summary>
public enum MailAuthentication
{
    /// <summary>A password when <c>Mail__Username</c> is set (or comes from Key Vault); anonymous when both are empty.</summary>
    Auto,

    /// <summary>Always a username and password (from <c>Mail__*</c> or Key Vault); anonymous is a settings error.</summary>
    Password,

    /// <summary>An OAuth 2.0 access token (SASL XOAUTH2) for the mailbox in <c>Mail__Username</c>; no password.</summary>
    OAuth2,
}
