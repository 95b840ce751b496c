namespace Notifier.Smtp;

/// <summary>A username and password for SMTP AUTH. <see cref="ToString"/> never shows the password.</summary>
public sealed record SmtpCredentials(string Username, string Password)
{
    /// <summary>Redacted: credentials must never reach a log, even by accident.</summary>
    public override string ToString() => "SmtpCredentials { Username = (set), Password = (redacted) }";
}
