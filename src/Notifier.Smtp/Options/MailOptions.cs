namespace Notifier.Smtp.Options;

/// <summary>
/// The mail server settings (app settings <c>Mail__*</c>; DESIGN §3). Validation lives in
/// <see cref="MailOptionsValidator"/> so the handler and the CLI report the same problems.
/// </summary>
public sealed class MailOptions
{
    public const string SectionName = "Mail";

    /// <summary>SMTP server host or IP. Empty: messages are written as .eml files to <see cref="OutboxDirectory"/>.</summary>
    public string? Host { get; set; }

    /// <summary>TCP port; null means 25 for SMTP and 465 for SMTPS.</summary>
    public int? Port { get; set; }

    public MailProtocol Protocol { get; set; } = MailProtocol.Smtp;

    /// <summary>For <see cref="MailProtocol.Smtp"/> only.</summary>
    public MailTls Tls { get; set; } = MailTls.IfAvailable;

    /// <summary>How to sign in: <see cref="MailAuthentication.Auto"/> keeps the rule "password when a username is set".</summary>
    public MailAuthentication Authentication { get; set; } = MailAuthentication.Auto;

    /// <summary>The user for AUTH; with <see cref="MailAuthentication.OAuth2"/>, the mailbox the token is for.</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>The From header, e.g. <c>Code Review &lt;noreply@example.com&gt;</c>.</summary>
    public string? From { get; set; }

    /// <summary>Used only with <see cref="MailAuthentication.OAuth2"/>.</summary>
    public MailOAuth2Options OAuth2 { get; set; } = new();

    /// <summary>PEM file of extra trusted certificates (self-signed server or private CA).</summary>
    public string? TrustedCertificatesPath { get; set; }

    /// <summary>
    /// PEM text of extra trusted certificates, beside or instead of <see cref="TrustedCertificatesPath"/> (both:
    /// both are trusted). In Azure it is a Key Vault reference app setting, so no file has to be deployed.
    /// </summary>
    public string? TrustedCertificates { get; set; }

    public bool AllowPlaintextAuth { get; set; }

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public int MaxConnections { get; set; } = 4;

    public string OutboxDirectory { get; set; } = "./outbox";

    /// <summary>The port actually used.</summary>
    public int EffectivePort => Port ?? (Protocol == MailProtocol.Smtps ? 465 : 25);

    /// <summary>True when both username and password are empty and no token is asked for.</summary>
    public bool IsAnonymous => Authentication != MailAuthentication.OAuth2 && string.IsNullOrEmpty(Username) && string.IsNullOrEmpty(Password);

    public override string ToString() =>
        $"{Protocol} {Host}:{EffectivePort} tls={Tls} user={(Authentication == MailAuthentication.OAuth2 ? "(OAuth2)" : IsAnonymous ? "(anonymous)" : "(set)")}";
}
