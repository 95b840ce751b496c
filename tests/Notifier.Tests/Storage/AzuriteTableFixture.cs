using Azure.Data.Tables;

namespace Notifier.Tests.Storage;

/// <summary>
/// One Azurite table server per test class (it takes seconds to start on a busy machine). Tests in a class run
/// one after another, so each starts with <see cref="ResetAsync"/> and sees only its own tables.
/// </summary>
public sealed class AzuriteTableFixture : IAsyncLifetime
{
    private AzuriteServer? _server;

    public AzuriteServer Server => _server ?? throw new InvalidOperationException("Azurite has not started");

    public string ConnectionString => Server.ConnectionString;

    public TableServiceClient CreateClient() => new(ConnectionString);

    /// <summary>Deletes every table, so a test starts from an empty account.</summary>
    public async Task ResetAsync()
    {
        var client = CreateClient();
        await foreach (var table in client.QueryAsync())
        {
            await client.DeleteTableAsync(table.Name);
        }
    }

    public async Task InitializeAsync() => _server = await AzuriteServer.StartAsync(AzuriteService.Table);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
