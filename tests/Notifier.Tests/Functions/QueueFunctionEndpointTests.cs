using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Notifier.Functions;
using Notifier.Hosting;
using Notifier.Notifications.Delivery;
using Notifier.Smtp;
using Notifier.Smtp.Messages;
using Notifier.Tests.Support;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace Notifier.Tests.Functions;

public sealed class QueueFunctionEndpointTests
{
    [Fact]
    public async Task RootAnswersAtOnceForTheHostsPoll()
    {
        await using var factory = new HandlerFactory();
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("notifier", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("PullRequestEvents", "pullrequest.opened", HostEncoding.Binary)]
    [InlineData("PullRequestEvents", "pullrequest.comment.added", HostEncoding.JsonEncodedStrings)]
    [InlineData("RepositoryEvents", "repository.pushed", HostEncoding.Binary)]
    [InlineData("RepositoryEvents", "commit.comment.added", HostEncoding.JsonEncodedStrings)]
    [InlineData("AccountEvents", "account.created", HostEncoding.Binary)]
    [InlineData("AccountEvents", "account.password-reset", HostEncoding.JsonEncodedStrings)]
    public async Task DeliversAnEventOfTheQueuesCategoryInEitherEncoding(string function, string sample, HostEncoding encoding)
    {
        await using var factory = new HandlerFactory();
        using var client = factory.CreateClient();

        var answer = await InvocationAnswer.PostAsync(client, "/" + function, HostInvocation.ServiceBus(Repo.Sample(sample), Guid.NewGuid().ToString(), encoding));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("delivered", answer.Outcome);
        Assert.Null(answer.Rejected);
        Assert.Contains(answer.Logs, l => l.StartsWith("delivered event", StringComparison.Ordinal));
        await factory.Transport.ReceivedWithAnyArgs().SendAsync(default!, default);
    }

    [Theory]
    [InlineData(HostEncoding.Binary)]
    [InlineData(HostEncoding.JsonEncodedStrings)]
    public async Task AMalformedBodyComesBackUnchangedInOutputsRejectedWithTheReason(HostEncoding encoding)
    {
        await using var factory = new HandlerFactory();
        using var client = factory.CreateClient();
        const string body = "{\"type\": \"pullrequest.opened\", \"id\": \"evt-1\", oops";

        var answer = await InvocationAnswer.PostAsync(client, "/PullRequestEvents", HostInvocation.ServiceBus(Encoding.UTF8.GetBytes(body), "msg-1", encoding));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("rejected", answer.Outcome);
        var rejected = answer.Rejected!.Value;
        Assert.Equal(body, rejected.GetProperty("body").GetString());
        Assert.False(string.IsNullOrWhiteSpace(rejected.GetProperty("reason").GetString()));
        Assert.Equal("pullrequest-events", rejected.GetProperty("queue").GetString());
        Assert.Equal("msg-1", rejected.GetProperty("messageId").GetString());
        await factory.Transport.DidNotReceiveWithAnyArgs().SendAsync(default!, default);
    }

    [Fact]
    public async Task ABodyThatIsNotUtf8IsForwardedByteForByteAsBase64()
    {
        await using var factory = new HandlerFactory();
        using var client = factory.CreateClient();
        byte[] body = [0xff, 0xfe, 0x00, 0x41, 0xc3];

        var answer = await InvocationAnswer.PostAsync(client, "/RepositoryEvents", HostInvocation.ServiceBus(body, "msg-2", HostEncoding.Binary));

        var rejected = answer.Rejected!.Value;
        Assert.Equal(body, Convert.FromBase64String(rejected.GetProperty("bodyBase64").GetString()!));
        Assert.False(rejected.TryGetProperty("body", out _));
    }

    [Theory]
    [InlineData("PullRequestEvents", "account.password-reset")]
    [InlineData("RepositoryEvents", "pullrequest.opened")]
    [InlineData("AccountEvents", "repository.pushed")]
    public async Task AnEventOfAnotherCategoryIsRejectedAndNobodyIsMailed(string function, string sample)
    {
        await using var factory = new HandlerFactory();
        using var client = factory.CreateClient();

        var answer = await InvocationAnswer.PostAsync(client, "/" + function, HostInvocation.ServiceBus(Repo.Sample(sample), "m", HostEncoding.Binary));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("rejected", answer.Outcome);
        Assert.Contains("does not belong on this queue", answer.Rejected!.Value.GetProperty("reason").GetString(), StringComparison.Ordinal);
        await factory.Transport.DidNotReceiveWithAnyArgs().SendAsync(default!, default);
    }

    [Fact]
    public async Task ASendFailureIsDroppedAnswered200AndLoggedWithTheReason()
    {
        await using var factory = new HandlerFactory();
        factory.Transport.SendAsync(Arg.Any<EmailMessage>(), Arg.Any<CancellationToken>())
            .ThrowsAsync(new SmtpException("could not connect to mail.example.test:25 (connection refused)", "check Mail__Host"));
        using var client = factory.CreateClient();

        var answer = await InvocationAnswer.PostAsync(client, "/PullRequestEvents", HostInvocation.ServiceBus(Repo.Sample("pullrequest.merged"), "m3", HostEncoding.Binary));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("dropped", answer.Outcome);
        Assert.Null(answer.Rejected);
        Assert.Contains(answer.Logs, l => l.Contains("connection refused", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(HostEncoding.Binary)]
    [InlineData(HostEncoding.JsonEncodedStrings)]
    public async Task ARedeliveredMessageIdDoesNotMailAnyoneTwice(HostEncoding encoding)
    {
        await using var factory = new HandlerFactory();
        using var client = factory.CreateClient();
        var body = Repo.Sample("pullrequest.opened");

        var first = await InvocationAnswer.PostAsync(client, "/PullRequestEvents", HostInvocation.ServiceBus(body, "same-id", encoding));
        var sends = Sends(factory);
        var again = await InvocationAnswer.PostAsync(client, "/PullRequestEvents", HostInvocation.ServiceBus(body, "same-id", encoding, deliveryCount: 2));

        Assert.Equal("delivered", first.Outcome);
        Assert.True(sends > 0);
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal("delivered", again.Outcome);
        Assert.Equal(sends, Sends(factory));
        Assert.Contains(again.Logs, l => l.Contains("handled already", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARedeliveredRejectedMessageIsForwardedAgainBecauseTheFirstAnswerMayHaveBeenLost()
    {
        await using var factory = new HandlerFactory();
        using var client = factory.CreateClient();
        var invocation = HostInvocation.ServiceBus("nope"u8.ToArray(), "bad-1", HostEncoding.Binary);

        await InvocationAnswer.PostAsync(client, "/PullRequestEvents", invocation);
        var again = await InvocationAnswer.PostAsync(client, "/PullRequestEvents", invocation);

        Assert.Equal("nope", again.Rejected!.Value.GetProperty("body").GetString());
    }

    [Fact]
    public async Task DifferentMessageIdsWithTheSameBodyAreEachDelivered()
    {
        await using var factory = new HandlerFactory();
        using var client = factory.CreateClient();
        var body = Repo.Sample("pullrequest.approved");

        await InvocationAnswer.PostAsync(client, "/PullRequestEvents", HostInvocation.ServiceBus(body, "a", HostEncoding.Binary));
        var once = Sends(factory);
        await InvocationAnswer.PostAsync(client, "/PullRequestEvents", HostInvocation.ServiceBus(body, "b", HostEncoding.Binary));

        Assert.Equal(2 * once, Sends(factory));
    }

    [Theory]
    [InlineData(HostEncoding.Binary)]
    [InlineData(HostEncoding.JsonEncodedStrings)]
    public async Task TheBitbucketEventKeyIsTakenFromTheMessagesApplicationProperties(HostEncoding encoding)
    {
        await using var factory = new HandlerFactory();
        using var client = factory.CreateClient();
        var webhook = JsonNode.Parse(File.ReadAllText(Repo.Path("samples", "bitbucket", "pr_merged.json")))!.AsObject();
        var eventKey = webhook["eventKey"]!.GetValue<string>();
        webhook.Remove("eventKey");
        var body = Encoding.UTF8.GetBytes(webhook.ToJsonString());

        var withKey = await InvocationAnswer.PostAsync(client, "/PullRequestEvents", HostInvocation.ServiceBus(body, "k1", encoding, eventKey));
        var withoutKey = await InvocationAnswer.PostAsync(client, "/PullRequestEvents", HostInvocation.ServiceBus(body, "k2", encoding));

        Assert.Equal("delivered", withKey.Outcome);
        Assert.Equal("rejected", withoutKey.Outcome);
    }

    [Fact]
    public async Task AnInvocationThatIsNotJsonIsAnswered400SoTheHostRetries()
    {
        await using var factory = new HandlerFactory();
        using var client = factory.CreateClient();

        var answer = await InvocationAnswer.PostAsync(client, "/PullRequestEvents", "not an invocation");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains(answer.Logs, l => l.Contains("not JSON", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithUnusableSettingsMessagesGoBackToTheQueueAndEveryProblemIsNamed()
    {
        await using var factory = new HandlerFactory(new Dictionary<string, string?>
        {
            ["Mail:Host"] = "mail.example.test",
            ["Mail:Port"] = "twenty-five",
            ["KeyVault:Uri"] = "http://not-https.example/",
        });
        using var client = factory.CreateClient();

        using var root = await client.GetAsync("/");
        var answer = await InvocationAnswer.PostAsync(client, "/PullRequestEvents", HostInvocation.ServiceBus(Repo.Sample("pullrequest.opened"), "m", HostEncoding.Binary));

        Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, answer.Status);
        var log = string.Join("\n", answer.Logs);
        Assert.Contains("Mail__Port", log, StringComparison.Ordinal);
        Assert.Contains("KeyVault__Uri", log, StringComparison.Ordinal);
        Assert.Contains("Mail__From", log, StringComparison.Ordinal);
        await factory.Transport.DidNotReceiveWithAnyArgs().SendAsync(default!, default);
    }

    [Fact]
    public async Task OAuth2SettingsTheCredentialsCannotBeBuiltFromSendTheMessageBackWithTheProblem()
    {
        // An Entra application reads its client secret from Key Vault; without KeyVault__Uri its credentials
        // cannot be built, so the queue function must answer with the problem before it asks for them.
        await using var factory = new HandlerFactory(new Dictionary<string, string?>
        {
            ["Mail:Host"] = "smtp.office365.com",
            ["Mail:From"] = "Code Review <noreply@example.com>",
            ["Mail:Authentication"] = "OAuth2",
            ["Mail:Username"] = "noreply@example.com",
            ["Mail:OAuth2:TenantId"] = "00000000-0000-0000-0000-000000000001",
            ["Mail:OAuth2:ClientId"] = "00000000-0000-0000-0000-000000000002",
        });
        using var client = factory.CreateClient();

        var answer = await InvocationAnswer.PostAsync(client, "/PullRequestEvents", HostInvocation.ServiceBus(Repo.Sample("pullrequest.opened"), "oauth2-no-vault", HostEncoding.Binary));

        Assert.Equal(HttpStatusCode.InternalServerError, answer.Status);
        Assert.Contains(answer.Logs, l => l.Contains("set KeyVault__Uri", StringComparison.Ordinal));
        await factory.Transport.DidNotReceiveWithAnyArgs().SendAsync(default!, default);
    }

    [Theory]
    [InlineData("PullRequestEvents")]
    [InlineData("FlushBatches")]
    public async Task AStorageSettingTheServicesCannotBeBuiltFromIsReportedNotThrown(string function)
    {
        // The ledger and the digest store are built from AzureWebJobsStorage; the handler must answer with the
        // problem before it asks for them.
        await using var factory = new HandlerFactory(new Dictionary<string, string?>
        {
            ["Mail:Host"] = "mail.example.test",
            ["Mail:From"] = "Code Review <noreply@example.com>",
            ["AzureWebJobsStorage"] = "this is not a connection string",
        });
        using var client = factory.CreateClient();
        var invocation = function == "FlushBatches"
            ? """{"Data": {"timer": {"IsPastDue": false}}, "Metadata": {}}"""
            : HostInvocation.ServiceBus(Repo.Sample("pullrequest.opened"), "m", HostEncoding.Binary);

        var answer = await InvocationAnswer.PostAsync(client, "/" + function, invocation);

        Assert.Equal(HttpStatusCode.InternalServerError, answer.Status);
        Assert.Contains(answer.Logs, l => l.Contains("AzureWebJobsStorage is not a storage connection string", StringComparison.Ordinal));
        await factory.Transport.DidNotReceiveWithAnyArgs().SendAsync(default!, default);
    }

    [Fact]
    public async Task TheAnswerUsesTheHostsPropertyNames()
    {
        await using var factory = new HandlerFactory();
        using var client = factory.CreateClient();

        var answer = await InvocationAnswer.PostAsync(client, "/AccountEvents", HostInvocation.ServiceBus("{}"u8.ToArray(), "x", HostEncoding.Binary));

        Assert.Equal(JsonValueKind.Object, answer.Json.GetProperty("Outputs").ValueKind);
        Assert.Equal(JsonValueKind.Array, answer.Json.GetProperty("Logs").ValueKind);
        Assert.True(answer.Json.TryGetProperty("ReturnValue", out _));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AnInvocationOverTheLimitIs413WhetherItsContentLengthSaysSoOrReadingRunsPastIt(bool withContentLength)
    {
        await using var factory = new HandlerFactory();
        // A 3 MiB body is exactly 4 MiB of base64, so with the JSON around it the invocation is over the limit.
        var invocation = Encoding.UTF8.GetBytes(HostInvocation.ServiceBus(new byte[3 * 1024 * 1024], "too-big", HostEncoding.Binary));
        // Straight to the handler's endpoint: the test server's client gives every request a Content-Length, the
        // host's chunked requests have none.
        using var scope = factory.Services.CreateScope();
        using var answer = new MemoryStream();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Method = "POST";
        context.Request.RouteValues["function"] = "PullRequestEvents";
        context.Request.Body = new MemoryStream(invocation);
        context.Request.ContentLength = withContentLength ? invocation.Length : null;
        context.Response.Body = answer;

        await HandlerEndpoints.InvokeAsync(context);
        var logs = JsonDocument.Parse(answer.ToArray()).RootElement.GetProperty("Logs").EnumerateArray().Select(l => l.GetString()!);

        Assert.Equal(StatusCodes.Status413PayloadTooLarge, context.Response.StatusCode);
        Assert.Contains(logs, l => l.Contains("is larger than 4 MB", StringComparison.Ordinal));
        await factory.Transport.DidNotReceiveWithAnyArgs().SendAsync(default!, default);
    }

    [Fact]
    public async Task ABodyAKilobyteUnder3MiBFitsTheLimitAndIsReadAndAnswered200()
    {
        await using var factory = new HandlerFactory();
        using var client = factory.CreateClient();

        var answer = await InvocationAnswer.PostAsync(client, "/PullRequestEvents", HostInvocation.ServiceBus(new byte[(3 * 1024 * 1024) - 1024], "just-fits", HostEncoding.Binary));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("rejected", answer.Outcome);
    }

    [Fact]
    public async Task WhenSomeRecipientsWaitTheLogLineCountsThemAndTheReturnValueHasNoCount()
    {
        var result = new DeliveryResult(DeliveryOutcome.Delivered, null, "evt-7", "pullrequest:reviewers-updated", 3, 1, "250 Ok", []) { Batched = 2 };
        using var json = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(json))
        {
            QueueFunctionHandler.ReturnValue(result, duplicate: false).WriteTo(writer);
        }

        var names = JsonDocument.Parse(json.ToArray()).RootElement.EnumerateObject().Select(p => p.Name);

        Assert.Equal(["outcome", "eventId", "reason", "duplicate"], names);
        Assert.Contains("1 email(s) for 3 recipient(s), 2 more waiting in digests", result.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Messages handed to the transport (the warm-up's connection preparation is not a send).</summary>
    private static int Sends(HandlerFactory factory) =>
        factory.Transport.ReceivedCalls().Count(call => call.GetMethodInfo().Name == nameof(IMailTransport.SendAsync));
}
