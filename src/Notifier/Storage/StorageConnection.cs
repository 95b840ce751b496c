using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;

namespace Notifier.Storage;

/// <summary>
/// The app's storage account, read the way the Functions host reads <c>AzureWebJobsStorage</c>: a connection
/// string (<c>UseDevelopmentStorage=true</c> for Azurite), or identity-based with
/// <c>AzureWebJobsStorage__tableServiceUri</c> (or <c>__accountName</c>) and the managed identity
/// (<c>AzureWebJobsStorage__clientId</c> or <c>AZURE_CLIENT_ID</c> for a user-assigned one).
/// </summary>
internal static class StorageConnection
{
    public const string Setting = "AzureWebJobsStorage";

    /// <summary>The table service, or null when no storage is configured (then nothing is batched or shared).</summary>
    public static TableServiceClient? CreateTableService(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var connectionString = configuration[Setting];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return new TableServiceClient(connectionString, ClientOptions());
        }

        var section = configuration.GetSection(Setting);
        var endpoint = section["tableServiceUri"] is { Length: > 0 } uri
            ? new Uri(uri)
            : section["accountName"] is { Length: > 0 } account ? new Uri($"https://{account}.table.core.windows.net") : null;
        return endpoint is null ? null : new TableServiceClient(endpoint, Credential(section["clientId"]), ClientOptions());
    }

    /// <summary>Made only for a client that will be used: the options create an HTTP client (Azure.Core's transport).</summary>
    private static TableClientOptions ClientOptions()
    {
        var options = new TableClientOptions();
        // Fail fast when the store is down: the event is then sent at once instead of waiting on retries.
        options.Retry.MaxRetries = 1;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
        return options;
    }

    /// <summary>The settings problems of the storage connection, each naming the setting.</summary>
    public static IEnumerable<string> Problems(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var connectionString = configuration[Setting];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            string? problem = null;
            try
            {
                _ = new TableServiceClient(connectionString);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
            {
                problem = $"{Setting} is not a storage connection string (such as UseDevelopmentStorage=true or DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...): {ex.GetType().Name}. Or use {Setting}__tableServiceUri with the app's identity.";
            }

            if (problem is not null)
            {
                yield return problem;
            }

            yield break;
        }

        if (configuration[$"{Setting}:tableServiceUri"] is { Length: > 0 } uri
            && (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("https" or "http")))
        {
            yield return $"{Setting}__tableServiceUri must be the table endpoint, e.g. https://ACCOUNT.table.core.windows.net (got '{uri}').";
        }
    }

    private static TokenCredential Credential(string? clientId)
    {
        clientId = string.IsNullOrEmpty(clientId) ? Environment.GetEnvironmentVariable("AZURE_CLIENT_ID") : clientId;
        // App Service and Functions set IDENTITY_ENDPOINT when a managed identity is available.
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("IDENTITY_ENDPOINT")))
        {
            return new ManagedIdentityCredential(string.IsNullOrEmpty(clientId)
                ? ManagedIdentityId.SystemAssigned
                : ManagedIdentityId.FromUserAssignedClientId(clientId));
        }

        return new DefaultAzureCredential();
    }
}
