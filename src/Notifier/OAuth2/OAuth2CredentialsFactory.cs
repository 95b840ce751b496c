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
        // The settings were validated first: an application has both ids, and the mailbox is Mail__Username.
        OAuth2TokenSource source = oauth.UsesApplication && oauth is { TenantId: { } tenantId, ClientId: { } clientId }
            ? new ApplicationTokenSource(tenantId, clientId, KeyVaultClientFactory.Create(settings.KeyVault), settings.KeyVault.ClientSecretSecret)
            : new ManagedIdentityTokenSource(Environment.GetEnvironmentVariable("AZURE_CLIENT_ID"));
        var mailbox = settings.Mail.Username ?? throw new InvalidOperationException("Mail__Authentication=OAuth2 needs Mail__Username, the mailbox to send as.");
        return new OAuth2MailCredentials(mailbox, oauth.Scope, source, time, logger);
    }
}
