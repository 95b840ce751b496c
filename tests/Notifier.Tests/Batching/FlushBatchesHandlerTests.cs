using System.Globalization;
using System.Net;
using Azure.Data.Tables;
using Notifier.Smtp.Tests.Servers;
using Notifier.Storage;
using Notifier.Tests.Storage;
using Notifier.Tests.Support;

namespace Notifier.Tests.Batching;

/// <summary>
/// <c>POST /FlushBatches</c> as the host's timer calls it, over a real Azurite table server: after the digests it
/// removes the handled-message records older than a day, at most 1,000 per run, and it answers 500 when the
/// store cannot be read.
/// </summary>
[Trait("Category", "Integration")]
public sealed class FlushBatchesHandlerTests(AzuriteTableFixture azurite) : IClassFixture<AzuriteTableFixture>, IAsyncLifetime
{
    private const string TimerInvocation = """{"Data": {"timer": {"Schedule": {"AdjustForDST": true}, "IsPastDue": false}}, "Metadata": {}}""";
    private const string LongAgo = "20200101";

    private static string Today => DateTime.UtcNow.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task AFlushRemovesHandledMessageRecordsOlderThanADayAndKeepsTodays()
    {
        await AddRecordsAsync(LongAgo, 1);
        await AddRecordsAsync(Today, 1);
        await using var factory = new HandlerFactory(Settings(azurite.ConnectionString));
        using var client = factory.CreateClient();

        var answer = await InvocationAnswer.PostAsync(client, "/FlushBatches", TimerInvocation);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal([Today], await PartitionsLeftAsync());
    }

    /// <summary>1,001 real rows: Azurite takes them in 11 transactions, so the limit is tested at its true size.</summary>
    [Fact]
    public async Task AFlushRemovesAtMost1000OldRecordsAndTheNextRemovesTheRest()
    {
        await AddRecordsAsync(LongAgo, 1001);
        await using var factory = new HandlerFactory(Settings(azurite.ConnectionString));
        using var client = factory.CreateClient();

        var first = await InvocationAnswer.PostAsync(client, "/FlushBatches", TimerInvocation);
        var leftAfterFirst = (await PartitionsLeftAsync()).Count;
        var second = await InvocationAnswer.PostAsync(client, "/FlushBatches", TimerInvocation);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.Status, second.Status));
        Assert.Equal(1, leftAfterFirst);
        Assert.Empty(await PartitionsLeftAsync());
    }

    [Fact]
    public async Task WhenTheStoreCannotBeReadTheFlushAnswers500()
    {
        using var down = new RefusingPort();
        var closed = $"DefaultEndpointsProtocol=http;AccountName={AzuriteServer.AccountName};AccountKey={AzuriteServer.AccountKey};TableEndpoint=http://127.0.0.1:{down.Port}/{AzuriteServer.AccountName};";
        await using var factory = new HandlerFactory(Settings(closed));
        using var client = factory.CreateClient();

        var answer = await InvocationAnswer.PostAsync(client, "/FlushBatches", TimerInvocation);

        Assert.Equal(HttpStatusCode.InternalServerError, answer.Status);
        Assert.False(string.IsNullOrEmpty(answer.Json.GetProperty("ReturnValue").GetProperty("error").GetString()));
    }

    private static Dictionary<string, string?> Settings(string storage) => new()
    {
        ["Mail:Host"] = "mail.example.test",
        ["Mail:From"] = "Code Review <noreply@example.com>",
        ["Notifications:BaseUrl"] = "https://git.example.com/",
        ["AzureWebJobsStorage"] = storage,
    };

    private async Task AddRecordsAsync(string day, int count)
    {
        var table = azurite.CreateClient().GetTableClient(TableStorage.MessagesTable);
        await table.CreateIfNotExistsAsync();
        foreach (var chunk in Enumerable.Range(0, count).Chunk(100))
        {
            await table.SubmitTransactionAsync(chunk.Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(day, $"{day}-{i:D5}")
            {
                ["MessageId"] = $"msg-{day}-{i}",
                ["Function"] = "PullRequestEvents",
                ["Outcome"] = "delivered",
            })));
        }
    }

    /// <summary>The partition of every record left, one entry per record.</summary>
    private async Task<List<string>> PartitionsLeftAsync()
    {
        var left = new List<string>();
        await foreach (var entity in azurite.CreateClient().GetTableClient(TableStorage.MessagesTable).QueryAsync<TableEntity>(select: ["PartitionKey"]))
        {
            left.Add(entity.PartitionKey);
        }

        return left;
    }
}
