using Notifier.KeyVault;
using Notifier.Smtp.Options;

namespace Notifier.Settings;

/// <summary>
/// The one rule that spans two sections: where the mail secret comes from, <c>Mail__*</c> or Key Vault, never both;
/// an OAuth2 Entra application needs the vault for its client secret. The options system validates one options
/// class at a time, so <see cref="NotifierSettings"/> applies this rule once both sections are read.
/// </summary>
internal static class CredentialSource
{
    public static IEnumerable<string> Problems(MailOptions mail, KeyVaultOptions keyVault)
    {
        ArgumentNullException.ThrowIfNull(mail);
        ArgumentNullException.ThrowIfNull(keyVault);
        switch (mail.Authentication)
        {
            case MailAuthentication.OAuth2 when mail.OAuth2.UsesApplication && !keyVault.IsEnabled:
                yield return $"Mail__OAuth2__TenantId/Mail__OAuth2__ClientId name an Entra application, whose client secret is read from Key Vault: set KeyVault__Uri (the secret '{keyVault.ClientSecretSecret}', see KeyVault__ClientSecretSecret), or clear both to use the app's managed identity.";
                break;
            case MailAuthentication.OAuth2:
                // Mail__Username is the mailbox, not a secret, so it stays in Mail__* even with Key Vault.
                break;
            case MailAuthentication.Password when mail.IsAnonymous && !keyVault.IsEnabled:
                yield return "Mail__Authentication=Password needs a username and password: set Mail__Username and Mail__Password, or KeyVault__Uri to read them from Key Vault.";
                break;
            default:
                if (keyVault.IsEnabled && !mail.IsAnonymous)
                {
                    yield return "KeyVault__Uri is set, so the username and password are read from Key Vault: remove Mail__Username and Mail__Password.";
                }

                break;
        }
    }
}
