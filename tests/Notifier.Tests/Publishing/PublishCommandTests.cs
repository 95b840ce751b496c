using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Identity;
using Azure.Messaging.ServiceBus;
using NSubstitute;
using Notifier.Cli;
using Notifier.Notifications.Events;
using Notifier.Tests.Support;

namespace Notifier.Tests.Publishing;

/// <summary>
/// <c>notifier publish</c> against the SDK's model factory and a substitute client (there is no Service Bus
/// emulator): queue per category, message id, content type, exact body, refusal before any send, the inputs
/// <c>deliver</c> reads, and one-line errors.
/// </summary>
public sealed class PublishCommandTests : IDisposable
{
    private const string Host = "sb-test.servicebus.windows.net";

    private readonly StringWriter _stdout = new();
    private readonly StringWriter _stderr = new();

    public void Dispose()
    {
        _stdout.Dispose();
        _stderr.Dispose();
    }

    private static string Sample(string type) => Repo.Path("samples", "events", type + ".json");

    private static string Capture(string file) => Repo.Path("samples", "bitbucket", file);

    private static string IdOf(string path) => JsonDocument.Parse(File.ReadAllBytes(path)).RootElement.GetProperty("id").GetString()!;

    private static string OneLine(string type) => JsonNode.Parse(File.ReadAllText(Sample(type)))!.ToJsonString();

    private static string TempFile(string name, string text)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("notifier-publish-").FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    private Task<int> RunAsync(FakeServiceBus bus, params string[] paths) => RunAsync(bus, TextReader.Null, CancellationToken.None, paths);

    private Task<int> RunAsync(FakeServiceBus bus, TextReader stdin, CancellationToken cancellationToken, params string[] paths) =>
        PublishCommand.RunAsync(paths, Host, stdin, _stdout, _stderr, bus.Connect, cancellationToken);

    [Fact]
    public async Task EachEventGoesToTheQueueOfItsCategory()
    {
        var bus = new FakeServiceBus();
        string[] files =
        [
            Sample(EventTypes.PullRequestOpened), Sample(EventTypes.RepositoryPushed), Sample(EventTypes.CommitCommentAdded),
            Sample(EventTypes.AccountCreated), Capture("pr_opened.json"), Capture("repo_refs_changed.json"),
        ];

        var exitCode = await RunAsync(bus, files);

        Assert.Equal(0, exitCode);
        Assert.Equal(Host, bus.ConnectedTo);
        Assert.Equal(["pullrequest-events", "repository-events", "account-events"], bus.Queues.Keys);
        Assert.Equal(2, bus.Queues["pullrequest-events"].Count);
        Assert.Equal(3, bus.Queues["repository-events"].Count);
        Assert.Equal(IdOf(Sample(EventTypes.AccountCreated)), Assert.Single(bus.Queues["account-events"]).MessageId);
        Assert.Contains($"{Sample(EventTypes.RepositoryPushed)}: repository.pushed {IdOf(Sample(EventTypes.RepositoryPushed))} → repository-events", _stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains($"sent 6 events to {Host}: pullrequest-events 2, repository-events 3, account-events 1", _stdout.ToString(), StringComparison.Ordinal);
        Assert.Empty(_stderr.ToString());
    }

    [Fact]
    public async Task TheMessageIsTheEventByteForByteWithItsIdAsMessageIdAndJsonContentType()
    {
        var bus = new FakeServiceBus();
        var canonical = Sample(EventTypes.PullRequestMerged);
        var bitbucket = Capture("pr_merged.json");

        await RunAsync(bus, canonical, bitbucket);

        var messages = bus.Queues["pullrequest-events"];
        Assert.Equal(File.ReadAllBytes(canonical), messages[0].Body.ToArray());
        Assert.Equal(IdOf(canonical), messages[0].MessageId);
        Assert.Equal("application/json", messages[0].ContentType);
        Assert.Equal(File.ReadAllBytes(bitbucket), messages[1].Body.ToArray());
        // Bitbucket bodies carry no id: the message id is the one the queue function logs for the body.
        Assert.Equal(new EventParser().Parse(File.ReadAllBytes(bitbucket)).EventId, messages[1].MessageId);
        Assert.Equal("application/json", messages[1].ContentType);
    }

    [Fact]
    public async Task AnyInvalidEventStopsEverySendAndEachIsReportedWithItsLine()
    {
        var bus = new FakeServiceBus();
        var broken = JsonNode.Parse(File.ReadAllText(Sample(EventTypes.PullRequestOpened)))!.AsObject();
        broken["pullRequest"]!.AsObject().Remove("title");
        var lines = TempFile("events.jsonl", string.Join("\n", OneLine(EventTypes.PullRequestApproved), broken.ToJsonString(), "{not json", OneLine(EventTypes.RepositoryDeleted)) + "\n");

        var exitCode = await RunAsync(bus, Sample(EventTypes.PullRequestMerged), lines);

        Assert.Equal(1, exitCode);
        Assert.Null(bus.ConnectedTo);
        bus.Client.DidNotReceiveWithAnyArgs().CreateSender(default!);
        var output = _stdout.ToString();
        Assert.Contains($"{lines}:2: invalid: pullRequest.title: required string", output, StringComparison.Ordinal);
        Assert.Contains($"{lines}:3: invalid: not JSON", output, StringComparison.Ordinal);
        Assert.Contains("nothing sent: 2 of 5 events are invalid", output, StringComparison.Ordinal);
        Assert.DoesNotContain($"{lines}:1:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoEventsWithOneIdAreRefusedBecauseTheSecondWouldBeTakenForARedelivery()
    {
        var bus = new FakeServiceBus();
        var sample = Sample(EventTypes.PullRequestApproved);

        var exitCode = await RunAsync(bus, sample, sample);

        Assert.Equal(1, exitCode);
        Assert.Empty(bus.Queues);
        Assert.Contains($"is also the id of {sample}", _stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task JsonLinesFileSendsOneMessagePerLine()
    {
        var bus = new FakeServiceBus();
        var first = OneLine(EventTypes.PullRequestApproved);
        var second = OneLine(EventTypes.PullRequestDeclined);
        var lines = TempFile("events.jsonl", first + "\n\n" + second + "\n");

        var exitCode = await RunAsync(bus, lines);

        Assert.Equal(0, exitCode);
        Assert.Equal([first, second], bus.Queues["pullrequest-events"].Select(m => m.Body.ToString()));
        Assert.Contains($"{lines}:3: pullrequest.declined", _stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StandardInputTakesJsonLines()
    {
        var bus = new FakeServiceBus();
        var stdin = new StringReader(OneLine(EventTypes.RepositoryPushed) + "\n" + OneLine(EventTypes.AccountPasswordReset) + "\n");

        var exitCode = await RunAsync(bus, stdin, CancellationToken.None, "-");

        Assert.Equal(0, exitCode);
        Assert.Equal(OneLine(EventTypes.RepositoryPushed), Assert.Single(bus.Queues["repository-events"]).Body.ToString());
        Assert.Equal(OneLine(EventTypes.AccountPasswordReset), Assert.Single(bus.Queues["account-events"]).Body.ToString());
        Assert.Contains("stdin:2: account.password-reset", _stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StandardInputTakesPrettyPrintedDocumentsEachSentAsWritten()
    {
        var bus = new FakeServiceBus();
        var opened = File.ReadAllText(Sample(EventTypes.PullRequestOpened));
        var merged = File.ReadAllText(Sample(EventTypes.PullRequestMerged));

        var exitCode = await RunAsync(bus, new StringReader(opened + merged), CancellationToken.None, "-");

        Assert.Equal(0, exitCode);
        Assert.Equal([opened.TrimEnd(), merged.TrimEnd()], bus.Queues["pullrequest-events"].Select(m => m.Body.ToString()));
    }

    [Fact]
    public async Task AFullBatchIsSentAndTheRestFollowInOrder()
    {
        var bus = new FakeServiceBus(messagesPerBatch: 2);
        var stdin = new StringReader(string.Join("\n", new[] { EventTypes.PullRequestOpened, EventTypes.PullRequestApproved, EventTypes.PullRequestMerged, EventTypes.PullRequestDeclined, EventTypes.PullRequestDeleted }.Select(OneLine)));

        var exitCode = await RunAsync(bus, stdin, CancellationToken.None, "-");

        Assert.Equal(0, exitCode);
        Assert.Equal(3, bus.Sends);
        Assert.Equal(
            new[] { EventTypes.PullRequestOpened, EventTypes.PullRequestApproved, EventTypes.PullRequestMerged, EventTypes.PullRequestDeclined, EventTypes.PullRequestDeleted }.Select(t => IdOf(Sample(t))),
            bus.Queues["pullrequest-events"].Select(m => m.MessageId));
    }

    public static TheoryData<string, Exception, string> Failures() => new()
    {
        {
            "missing role",
            new UnauthorizedAccessException($"Unauthorized access. 'Send' claim(s) are required to perform this operation. Resource: 'sb://{Host}/pullrequest-events'.\nTrackingId:4f1c, SystemTracker:gateway, Timestamp:2026-11-29T23:00:00"),
            "sending to pullrequest-events failed: Unauthorized access. 'Send' claim(s) are required to perform this operation. Resource: 'sb://sb-test.servicebus.windows.net/pullrequest-events'.; the signed-in identity needs the role Azure Service Bus Data Sender on pullrequest-events"
        },
        {
            "no queue",
            new ServiceBusException($"The messaging entity 'sb://{Host}/pullrequest-events' could not be found.", ServiceBusFailureReason.MessagingEntityNotFound),
            $"{Host} has no queue pullrequest-events: check --namespace"
        },
        {
            "no network",
            new ServiceBusException("No such host is known. ErrorCode: HostNotFound (ServiceCommunicationProblem)\nFor troubleshooting information, see https://aka.ms/azsdk/net/servicebus/exceptions/troubleshoot", ServiceBusFailureReason.ServiceCommunicationProblem),
            $"{Host} could not be reached: check the name and that outbound AMQP (TCP 5671) is allowed"
        },
        {
            "not signed in",
            new AuthenticationFailedException("DefaultAzureCredential failed to retrieve a token from the included credentials.\n- EnvironmentCredential authentication unavailable.\n- Azure CLI not installed"),
            "sign in first: az login"
        },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task AFailedSendIsOneLineSayingWhatToDo(string name, Exception failure, string expected)
    {
        var bus = new FakeServiceBus(send: _ => throw failure);

        var exitCode = await RunAsync(bus, Sample(EventTypes.PullRequestOpened), Sample(EventTypes.PullRequestApproved));

        Assert.Equal(1, exitCode);
        var error = _stderr.ToString().TrimEnd('\n');
        Assert.DoesNotContain('\n', error);
        Assert.StartsWith("sent 0 of 2 events; sending to pullrequest-events failed: ", error, StringComparison.Ordinal);
        Assert.True(error.Contains(expected, StringComparison.Ordinal), $"{name}: {error}");
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancellingStopsSendingAndSaysHowManyWentOut()
    {
        using var cancellation = new CancellationTokenSource();
        var bus = new FakeServiceBus(messagesPerBatch: 1, send: sends =>
        {
            if (sends == 1)
            {
                cancellation.Cancel();
                cancellation.Token.ThrowIfCancellationRequested();
            }
        });
        var stdin = new StringReader(string.Join("\n", new[] { EventTypes.PullRequestOpened, EventTypes.PullRequestApproved, EventTypes.PullRequestMerged }.Select(OneLine)));

        var exitCode = await RunAsync(bus, stdin, cancellation.Token, "-");

        Assert.Equal(1, exitCode);
        Assert.Single(bus.Queues["pullrequest-events"]);
        Assert.Equal("cancelled: sent 1 of 3 events; the others were not sent", _stderr.ToString().TrimEnd('\n'));
    }

    /// <summary>Stands where a connection string's key would be; no real key, so no secret scanner mistakes it for one.</summary>
    private const string NeverEchoed = "placeholder-that-must-never-be-echoed";

    [Theory]
    [InlineData("https://sb-test.servicebus.windows.net/")]
    [InlineData("Endpoint=sb://sb-test.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=" + NeverEchoed)]
    [InlineData("sb-test")]
    public async Task ANamespaceThatIsNotAHostNameIsBadUsageAndAKeyIsNeverEchoed(string value)
    {
        var bus = new FakeServiceBus();

        var exitCode = await PublishCommand.RunAsync([Sample(EventTypes.PullRequestOpened)], value, TextReader.Null, _stdout, _stderr, bus.Connect, CancellationToken.None);

        Assert.Equal(2, exitCode);
        Assert.Null(bus.ConnectedTo);
        Assert.Contains("--namespace", _stderr.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(NeverEchoed, _stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingPathIsBadUsage()
    {
        var bus = new FakeServiceBus();

        var exitCode = await RunAsync(bus, Path.Combine(Repo.Root, "no-such-events.json"));

        Assert.Equal(2, exitCode);
        Assert.Contains("is neither a file nor a folder", _stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoEventsFoundSendsNothingAndFails()
    {
        var bus = new FakeServiceBus();

        var exitCode = await RunAsync(bus, new StringReader("\n"), CancellationToken.None, "-");

        Assert.Equal(1, exitCode);
        Assert.Null(bus.ConnectedTo);
        Assert.Contains("no events found", _stdout.ToString(), StringComparison.Ordinal);
    }
}
