using Notifier.KeyVault;
using Notifier.Settings;

namespace Notifier.OAuth2;

/// <summary>Builds the OAuth2 credentials from the settings: an Entra application when tenant and client are set, else the managed identity.</summary>
internal static class OAuth2CredentialsFactory
{
    public static OAuth2MailCredentials Create(NotifierSettings settings, TimeProvider time, ILogger<OAuth2MailCredentials> logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var oauth = settings.Mail.OAuth2;
        OAuth2TokenSource source = oauth.UsesApplication
            ? new ApplicationTokenSource(oauth.TenantId!, oauth.ClientId!, KeyVaultClientFactory.Create(settings.KeyVault), settings.KeyVault.ClientSecretSecret)
            : new ManagedIdentityTokenSource(Environment.GetEnvironmentVariable("AZURE_CLIENT_ID"));
        return new OAuth2MailCredentials(settings.Mail.Username!, oauth.Scope, source, time, logger);
    }
}
