using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Notifier.Rejections;

/// <summary>
/// Keeps rejected bodies too large for their envelope whole, as blobs in the app's own storage account
/// (<c>AzureWebJobsStorage</c>): a connection string (<c>UseDevelopmentStorage=true</c> with Azurite locally),
/// or <c>AzureWebJobsStorage__blobServiceUri</c> with the app's identity, as the Functions host itself reads it.
/// Never throws for storage trouble: the caller gets the reason and sends the envelope truncated instead.
/// </summary>
internal sealed class RejectedBodyStore
{
    /// <summary>Upper bound, by default, on one attempt to store a body, retries included, so an invocation never hangs on storage.</summary>
    public static readonly TimeSpan DefaultStoreTimeout = TimeSpan.FromSeconds(20);

    private readonly BlobContainerClient? _container;
    private readonly string? _unavailable;
    private volatile bool _containerExists;

    private RejectedBodyStore(string containerName, BlobContainerClient? container, string? unavailable, TimeSpan storeTimeout)
    {
        ContainerName = containerName;
        _container = container;
        _unavailable = unavailable;
        StoreTimeout = storeTimeout;
    }

    public string ContainerName { get; }

    /// <summary>Upper bound on one attempt to store a body, retries included, so an invocation never hangs on storage.</summary>
    public TimeSpan StoreTimeout { get; }

    /// <summary>The store for the app's settings; one that explains itself when no storage account is configured.</summary>
    public static RejectedBodyStore Create(IConfiguration configuration, RejectedOptions options, TimeSpan? storeTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);
        var timeout = storeTimeout ?? DefaultStoreTimeout;
        var clientOptions = new BlobClientOptions();
        clientOptions.Retry.MaxRetries = 2;
        clientOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
        var storage = configuration.GetSection("AzureWebJobsStorage");
        try
        {
            if (!string.IsNullOrWhiteSpace(storage.Value))
            {
                return new(options.BodyContainer, new BlobServiceClient(storage.Value, clientOptions).GetBlobContainerClient(options.BodyContainer), null, timeout);
            }

            if (Uri.TryCreate(storage["blobServiceUri"], UriKind.Absolute, out var serviceUri))
            {
                var client = new BlobServiceClient(serviceUri, Credential(storage), clientOptions);
                return new(options.BodyContainer, client.GetBlobContainerClient(options.BodyContainer), null, timeout);
            }
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return new(options.BodyContainer, null, $"AzureWebJobsStorage is not a usable storage connection string ({e.GetType().Name})", timeout);
        }

        return new(options.BodyContainer, null, "no storage account is configured: set AzureWebJobsStorage (or AzureWebJobsStorage__blobServiceUri)", timeout);
    }

    /// <summary>Stores <paramref name="body"/> as <paramref name="name"/>; the stored blob, or null with the reason it could not be.</summary>
    public async Task<(StoredBody? Stored, string? Problem)> StoreAsync(string name, ReadOnlyMemory<byte> body, string? contentType, CancellationToken cancellationToken)
    {
        if (_container is null)
        {
            return (null, _unavailable);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StoreTimeout);
        try
        {
            if (!_containerExists)
            {
                await _container.CreateIfNotExistsAsync(cancellationToken: timeout.Token);
                _containerExists = true;
            }

            // Overwrite: a redelivered message has the same name and the same bytes.
            await _container.GetBlobClient(name).UploadAsync(
                BinaryData.FromBytes(body),
                new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = string.IsNullOrWhiteSpace(contentType) ? "application/octet-stream" : contentType } },
                timeout.Token);
            return (new StoredBody(ContainerName, name), null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, $"the storage account did not answer within {StoreTimeout.TotalSeconds:0} s");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // RequestFailedException (denied, missing), AggregateException (retries exhausted), sign-in failures.
            return (null, FirstLine(e.Message));
        }
    }

    private static string FirstLine(string text)
    {
        var end = text.AsSpan().IndexOfAny('\r', '\n');
        return end < 0 ? text : text[..end];
    }

    private static TokenCredential Credential(IConfigurationSection storage)
    {
        var clientId = storage["clientId"];
        if (string.Equals(storage["credential"], "managedidentity", StringComparison.OrdinalIgnoreCase))
        {
            return new ManagedIdentityCredential(string.IsNullOrEmpty(clientId)
                ? ManagedIdentityId.SystemAssigned
                : ManagedIdentityId.FromUserAssignedClientId(clientId));
        }

        return new DefaultAzureCredential();
    }
}
