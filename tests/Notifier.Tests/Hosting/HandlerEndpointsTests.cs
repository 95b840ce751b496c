using System.Net;
using Notifier.Tests.Support;
using NSubstitute;

namespace Notifier.Tests.Hosting;

public sealed class HandlerEndpointsTests
{
    [Fact]
    public async Task APathNoFunctionHasIsAnswered404WithTheFunctionsTheHandlerServes()
    {
        await using var factory = new HandlerFactory();
        using var client = factory.CreateClient();

        var answer = await PostPullRequestOpenedAsync(client, "/PullRequestEvent");

        Assert.Equal(HttpStatusCode.NotFound, answer.Status);
        var log = Assert.Single(answer.Logs);
        Assert.Contains("no function named 'PullRequestEvent'", log, StringComparison.Ordinal);
        Assert.Contains("PullRequestEvents, RepositoryEvents, AccountEvents, SendTestEmail, BitbucketWebhook, FlushBatches", log, StringComparison.Ordinal);
        await factory.Transport.DidNotReceiveWithAnyArgs().SendAsync(default!, default);
    }

    [Fact]
    public async Task AFunctionIsFoundWhateverTheCaseOfItsPath()
    {
        await using var factory = new HandlerFactory();
        using var client = factory.CreateClient();

        var answer = await PostPullRequestOpenedAsync(client, "/pullrequestevents");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("delivered", answer.Outcome);
        await factory.Transport.ReceivedWithAnyArgs().SendAsync(default!, default);
    }

    [Fact]
    public async Task AGetOnAFunctionsPathIsNotAnInvocation()
    {
        await using var factory = new HandlerFactory();
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/PullRequestEvents");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        await factory.Transport.DidNotReceiveWithAnyArgs().SendAsync(default!, default);
    }

    [Fact]
    public async Task TheTimerWithoutStorageReturnsZeroDigestsAndNoError()
    {
        await using var factory = new HandlerFactory();
        using var client = factory.CreateClient();

        var answer = await InvocationAnswer.PostAsync(client, "/FlushBatches", """{"Data": {"timer": {"IsPastDue": false}}, "Metadata": {}}""");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        var value = answer.Json.GetProperty("ReturnValue");
        Assert.Equal("""{"digests":0,"items":0,"delivered":0,"dropped":0}""", value.GetRawText());
        Assert.Contains(answer.Logs, l => l.Contains("AzureWebJobsStorage is not set", StringComparison.Ordinal));
    }

    private static Task<InvocationAnswer> PostPullRequestOpenedAsync(HttpClient client, string path) =>
        InvocationAnswer.PostAsync(client, path, HostInvocation.ServiceBus(Repo.Sample("pullrequest.opened"), Guid.NewGuid().ToString(), HostEncoding.Binary));
}
