using Azure.Core;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;

namespace Notifier.KeyVault;

/// <summary>
/// Builds the <see cref="SecretClient"/>: the managed identity in Azure (fast, no probing of developer
/// tools), <see cref="DefaultAzureCredential"/> elsewhere (environment, Azure CLI, Visual Studio...).
/// </summary>
internal static class KeyVaultClientFactory
{
    public static SecretClient Create(KeyVaultOptions options, SecretClientOptions? clientOptions = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Uri);
        clientOptions ??= new SecretClientOptions();
        clientOptions.Retry.MaxRetries = 2;
        clientOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(20);
        return new SecretClient(options.Uri, CreateCredential(), clientOptions);
    }

    private static TokenCredential CreateCredential()
    {
        // App Service and Functions set IDENTITY_ENDPOINT when a managed identity is available.
        var inAzure = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("IDENTITY_ENDPOINT"));
        var clientId = Environment.GetEnvironmentVariable("AZURE_CLIENT_ID");
        if (inAzure)
        {
            return new ManagedIdentityCredential(string.IsNullOrEmpty(clientId)
                ? ManagedIdentityId.SystemAssigned
                : ManagedIdentityId.FromUserAssignedClientId(clientId));
        }

        return new DefaultAzureCredential();
    }
}
