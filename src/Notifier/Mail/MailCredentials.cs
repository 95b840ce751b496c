using Notifier.KeyVault;
using Notifier.OAuth2;
using Notifier.Settings;
using Notifier.Smtp;
using Notifier.Smtp.Options;

namespace Notifier.Mail;

/// <summary>
/// Where the SMTP transport, the probe and the test email get credentials: an OAuth2 token with
/// <c>Mail__Authentication=OAuth2</c>, Key Vault when <c>KeyVault__Uri</c> is set, otherwise null (the transport
/// then uses <c>Mail__Username</c>/<c>Mail__Password</c>, or none).
/// </summary>
internal static class MailCredentials
{
    public static ISmtpCredentialProvider? Resolve(IServiceProvider services)
    {
        var settings = services.GetRequiredService<NotifierSettings>();
        if (settings.Mail.Authentication == MailAuthentication.OAuth2)
        {
            return services.GetRequiredService<OAuth2MailCredentials>();
        }

        return settings.KeyVault.IsEnabled ? services.GetRequiredService<KeyVaultMailCredentials>() : null;
    }
}
