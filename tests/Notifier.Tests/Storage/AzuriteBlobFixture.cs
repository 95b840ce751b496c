namespace Notifier.Tests.Storage;

/// <summary>One Azurite blob server per test class, for tests that keep blobs in the development account.</summary>
public sealed class AzuriteBlobFixture : IAsyncLifetime
{
    private AzuriteServer? _server;

    public AzuriteServer Server => _server ?? throw new InvalidOperationException("Azurite has not started");

    public string ConnectionString => Server.ConnectionString;

    public async Task InitializeAsync() => _server = await AzuriteServer.StartAsync(AzuriteService.Blob);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
