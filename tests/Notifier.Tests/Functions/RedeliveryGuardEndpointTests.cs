using System.Net;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Notifier.Functions;
using Notifier.Notifications.Delivery;
using Notifier.Storage;
using Notifier.Tests.Storage;
using Notifier.Tests.Support;
using NSubstitute;

namespace Notifier.Tests.Functions;

/// <summary>
/// The guards against mailing a redelivered message twice, as the app registers them: the last 10,000 ids in
/// memory, and the shared record in the storage account (a real Azurite table server), whose copy of a message
/// another instance is still handling waits up to 30 seconds and then goes back to the queue with 503.
/// </summary>
[Trait("Category", "Integration")]
public sealed class RedeliveryGuardEndpointTests(AzuriteTableFixture azurite) : IClassFixture<AzuriteTableFixture>, IAsyncLifetime
{
    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task TheAppRemembersTheLast10000MessageIdsAndWaits30SecondsForAnotherInstance()
    {
        await using var factory = new HandlerFactory(Settings());

        Assert.Equal(10_000, factory.Services.GetRequiredService<RecentMessages>().Capacity);
        Assert.Equal(TimeSpan.FromSeconds(30), factory.Services.GetRequiredService<MessageLedger>().WaitForOther);
    }

    [Fact]
    public async Task AMessageAnotherInstanceIsStillHandlingAfterTheWaitIsAnswered503AndLoggedAt3204()
    {
        var logs = new LogCollector();
        await using var factory = new HandlerFactory(Settings(), services =>
        {
            services.AddSingleton<ILoggerProvider>(logs);
            services.AddSingleton(sp => new MessageLedger(
                sp.GetRequiredService<StorageAccount>().Tables, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<MessageLedger>>(), TimeSpan.FromMilliseconds(500)));
        });
        using var client = factory.CreateClient();
        var otherInstance = new MessageLedger(new TableStorage(azurite.CreateClient()), TimeProvider.System, NullLogger<MessageLedger>.Instance);
        var release = new TaskCompletionSource<DeliveryResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var handledElsewhere = otherInstance.HandleOnceAsync("PullRequestEvents", "msg-busy", () => release.Task, CancellationToken.None);
        await WaitForClaimAsync();

        var answer = await InvocationAnswer.PostAsync(client, "/PullRequestEvents", HostInvocation.ServiceBus(Repo.Sample("pullrequest.opened"), "msg-busy", HostEncoding.Binary));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.Status);
        Assert.Contains(answer.Logs, l => l.Contains("msg-busy is being handled by another instance", StringComparison.Ordinal));
        var warning = Assert.Single(logs.Entries, e => e.EventId == 3204);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("msg-busy", warning.Message, StringComparison.Ordinal);
        await factory.Transport.DidNotReceiveWithAnyArgs().SendAsync(default!, default);
        release.SetResult(DeliveryResult.Rejected("test over", null, null));
        await handledElsewhere;
    }

    private Dictionary<string, string?> Settings() => new()
    {
        ["Mail:Host"] = "mail.example.test",
        ["Mail:From"] = "Code Review <noreply@example.com>",
        ["Notifications:BaseUrl"] = "https://git.example.com/",
        ["Notifications:Batching:Mode"] = "Immediate",
        ["AzureWebJobsStorage"] = azurite.ConnectionString,
    };

    private async Task WaitForClaimAsync()
    {
        var table = azurite.CreateClient().GetTableClient(TableStorage.MessagesTable);
        for (var i = 0; i < 200; i++)
        {
            try
            {
                await foreach (var _ in table.QueryAsync<TableEntity>(maxPerPage: 1))
                {
                    return;
                }
            }
            catch (Azure.RequestFailedException)
            {
                // The table is not there yet.
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("the other instance never claimed the message");
    }
}
