using Azure;
using Azure.Data.Tables;
using Azure.Identity;
using Notifier.Notifications.Batching;

namespace Notifier.Storage;

/// <summary>
/// The tables the app keeps in its storage account: digests waiting (<c>NotifierBatches</c>), their index by
/// due time (<c>NotifierBatchesDue</c>) and the Service Bus messages already handled (<c>NotifierMessages</c>).
/// Created on first use. Every failure to reach or use the account becomes a
/// <see cref="BatchStoreUnavailableException"/> whose message tells the admin what to check.
/// </summary>
internal sealed class TableStorage(TableServiceClient service)
{
    public const string BatchesTable = "NotifierBatches";
    public const string DueTable = "NotifierBatchesDue";
    public const string MessagesTable = "NotifierMessages";

    private Task? _creation;

    public TableClient Batches { get; } = service.GetTableClient(BatchesTable);

    public TableClient Due { get; } = service.GetTableClient(DueTable);

    public TableClient Messages { get; } = service.GetTableClient(MessagesTable);

    /// <summary>Where the tables are, for log lines (no key or token).</summary>
    public string AccountName => service.AccountName;

    /// <summary>
    /// Creates the tables once per process. Concurrent first callers may both ask; creating a table that exists
    /// is harmless. A failed attempt is tried again by the next caller.
    /// </summary>
    public Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        var creation = _creation;
        if (creation is null || creation.IsFaulted || creation.IsCanceled)
        {
            creation = CreateAsync();
            _creation = creation;
        }

        return creation.IsCompletedSuccessfully ? creation : creation.WaitAsync(cancellationToken);
    }

    private Task CreateAsync() => RunAsync(async () =>
    {
        // Not the caller's token: one caller giving up must not fail the creation the others wait for.
        await Batches.CreateIfNotExistsAsync(CancellationToken.None);
        await Due.CreateIfNotExistsAsync(CancellationToken.None);
        await Messages.CreateIfNotExistsAsync(CancellationToken.None);
    }, CancellationToken.None);

    /// <summary>Runs a storage call; turns the ways a store can be unusable into one exception with the reason.</summary>
    public static async Task<T> RunAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (Exception ex) when (Describe(ex, cancellationToken) is { } reason)
        {
            throw new BatchStoreUnavailableException(reason, ex);
        }
    }

    public static Task RunAsync(Func<Task> call, CancellationToken cancellationToken) =>
        RunAsync(async () => { await call(); return true; }, cancellationToken);

    /// <summary>The admin's reason for an exception that means "the store cannot be used"; null for any other.</summary>
    private static string? Describe(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        RequestFailedException { Status: 0 } failed => $"the storage account could not be reached: {FirstLine(failed.Message)}",
        RequestFailedException { Status: 401 or 403 } failed =>
            $"access to the storage account was denied ({failed.Status} {failed.ErrorCode}): grant the app's identity Storage Table Data Contributor on the account, or check {StorageConnection.Setting}",
        RequestFailedException { Status: >= 500 } failed => $"the storage account answered {failed.Status} {failed.ErrorCode}",
        RequestFailedException failed => $"the storage account refused a request ({failed.Status} {failed.ErrorCode})",
        AuthenticationFailedException or CredentialUnavailableException => $"no identity could sign in to the storage account ({exception.GetType().Name}): set {StorageConnection.Setting}, or give the app a managed identity",
        HttpRequestException => $"the storage account could not be reached: {FirstLine(exception.Message)}",
        OperationCanceledException when !cancellationToken.IsCancellationRequested => "the storage account did not answer in time",
        AggregateException { InnerException: { } inner } => Describe(inner, cancellationToken),
        _ => null,
    };

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}
