namespace Notifier.Storage;

/// <summary>The app's storage account as the services see it: its tables, or none when <c>AzureWebJobsStorage</c> is not set.</summary>
internal sealed class StorageAccount(TableStorage? tables)
{
    /// <summary>Null when no storage is configured: events are then sent at once and only the process remembers messages.</summary>
    public TableStorage? Tables { get; } = tables;

    public static StorageAccount Create(IConfiguration configuration) =>
        new(StorageConnection.CreateTableService(configuration) is { } service ? new TableStorage(service) : null);
}
