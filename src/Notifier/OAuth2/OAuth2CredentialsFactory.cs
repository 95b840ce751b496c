using Azure.Identity;
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
        // The settings were validated first: an application has both ids and a vault, and the mailbox is Mail__Username.
        OAuth2TokenSource source = oauth.UsesApplication && oauth is { TenantId: { } tenantId, ClientId: { } clientId }
            ? new ApplicationTokenSource(
                tenantId,
                clientId,
                KeyVaultClientFactory.Create(settings.KeyVault),
                settings.KeyVault.ClientSecretSecret,
                settings.KeyVault.RefreshInterval,
                time,
                logger,
                ApplicationCredentialOptions(Environment.GetEnvironmentVariable("AZURE_AUTHORITY_HOST")))
            : new ManagedIdentityTokenSource(Environment.GetEnvironmentVariable("AZURE_CLIENT_ID"));
        var mailbox = settings.Mail.Username ?? throw new InvalidOperationException("Mail__Authentication=OAuth2 needs Mail__Username, the mailbox to send as.");
        return new OAuth2MailCredentials(mailbox, oauth.Scope, source, time, logger);
    }

    /// <summary>
    /// Azure.Identity takes the Entra ID host from <c>AZURE_AUTHORITY_HOST</c> itself (public cloud when unset).
    /// When an admin names the host, MSAL's instance discovery (asking the public cloud whether the host is a
    /// known Entra ID) is turned off: it fails for a private cloud such as Azure Stack and adds nothing for a host
    /// chosen on purpose.
    /// </summary>
    internal static ClientSecretCredentialOptions ApplicationCredentialOptions(string? authorityHost) =>
        new() { DisableInstanceDiscovery = !string.IsNullOrWhiteSpace(authorityHost) };
}
