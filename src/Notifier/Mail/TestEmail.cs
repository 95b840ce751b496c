using System.Globalization;
using Notifier.Settings;
using Notifier.Smtp.Messages;
using Notifier.Smtp.Options;

namespace Notifier.Mail;

/// <summary>The test email: says which settings sent it (never the credentials) so the admin can tell test runs apart.</summary>
internal static class TestEmail
{
    public static EmailMessage Create(NotifierSettings settings, Mailbox to, DateTimeOffset now)
    {
        var when = now.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
        var server = string.IsNullOrWhiteSpace(settings.Mail.Host) ? "the outbox folder (Mail__Host is empty)" : settings.Mail.ToString();
        var credentials = settings.Mail.Authentication == MailAuthentication.OAuth2 ? $"an OAuth2 token for {settings.Mail.Username} ({settings.Mail.OAuth2.Scope})"
            : settings.KeyVault.IsEnabled ? $"read from Key Vault {settings.KeyVault.Uri}"
            : settings.Mail.IsAnonymous ? "none (anonymous)" : "from Mail__Username and Mail__Password";
        var text = $"""
            This is a test email from Notifier, sent at {when}.

            Mail server: {server}
            Credentials: {credentials}

            If you can read this, pull-request, repository and account notifications will reach this mailbox.
            """;
        return new EmailMessage
        {
            From = settings.From,
            To = [to],
            Subject = $"{settings.Notifications.SubjectPrefix} Notifier test email ({when})".Trim(),
            TextBody = text,
            Date = now,
            Headers = [new("Auto-Submitted", "auto-generated"), new("X-Notifier-Event", "test")],
        };
    }
}
