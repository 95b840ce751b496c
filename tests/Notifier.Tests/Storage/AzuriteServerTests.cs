namespace Notifier.Tests.Storage;

/// <summary>The Azurite fixture starts each kind of server on its own port and stops it again.</summary>
[Trait("Category", "Integration")]
public sealed class AzuriteServerTests(AzuriteBlobFixture blob) : IClassFixture<AzuriteBlobFixture>
{
    [Fact]
    public async Task TheBlobServerAnswersAsAStorageServiceOnItsPort()
    {
        using var http = new HttpClient();

        using var response = await http.GetAsync(new Uri(blob.Server.Endpoint + "?comp=list"));

        Assert.True(response.Headers.Contains("x-ms-request-id"), response.ToString());
        Assert.Contains($"BlobEndpoint=http://127.0.0.1:{blob.Server.Port}/devstoreaccount1", blob.ConnectionString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATableServerStopsWhenDisposed()
    {
        var server = await AzuriteServer.StartAsync(AzuriteService.Table);
        using var http = new HttpClient();
        using (var up = await http.GetAsync(new Uri(server.Endpoint + "/Tables")))
        {
            Assert.True(up.Headers.Contains("x-ms-request-id"), up.ToString());
        }

        await server.DisposeAsync();

        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri(server.Endpoint + "/Tables")));
    }
}
