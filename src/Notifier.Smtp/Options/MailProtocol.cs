namespace Notifier.Smtp.Options;

/// <summary>How the connection starts.</summary>
public enum MailProtocol
{
    /// <summary>Plain SMTP; <see cref="MailTls"/> decides about STARTTLS.</summary>
    Smtp,

    /// <summary>TLS from the first byte (implicit TLS, usually port 465).</summary>
    Smtps,
}
