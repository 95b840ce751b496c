using System.Globalization;
using System.Net;
using Notifier.Smtp.Tests.Servers;
using Notifier.Tests.Batching;
using Notifier.Tests.Storage;
using Notifier.Tests.Support;

namespace Notifier.Tests.EndToEnd;

/// <summary>
/// Digests and shared idempotency across real <c>notifier serve</c> processes: Azurite's table server as the
/// storage account, the aiosmtpd harness as the mail server, invocations shaped like the Functions host's,
/// and periods of seconds.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ServeBatchingTests(AzuriteTableFixture azurite) : IClassFixture<AzuriteTableFixture>, IAsyncLifetime
{
    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private Dictionary<string, string?> Environment(int smtpPort, string? storage = null) => new()
    {
        ["Mail__Host"] = "127.0.0.1",
        ["Mail__Port"] = smtpPort.ToString(CultureInfo.InvariantCulture),
        ["Mail__Tls"] = "None",
        ["Mail__From"] = "Code Review <noreply@example.com>",
        ["Notifications__BaseUrl"] = "https://git.example.com/",
        ["Notifications__Batching__QuietPeriod"] = "00:00:02",
        ["Notifications__Batching__MaxDelay"] = "00:00:10",
        ["AzureWebJobsStorage"] = storage ?? azurite.ConnectionString,
    };

    private static Task<(NotifierProcess Process, HttpClient Client)> StartAsync(Dictionary<string, string?> environment) =>
        NotifierProcess.ServeAsync(environment);

    /// <summary>The host's call of a timer function.</summary>
    private static Task<InvocationAnswer> FlushAsync(HttpClient client) =>
        InvocationAnswer.PostAsync(client, "/FlushBatches", """{"Data": {"timer": {"Schedule": {"AdjustForDST": true}, "IsPastDue": false}}, "Metadata": {}}""");

    private static Task<InvocationAnswer> PostAsync(HttpClient client, byte[] body, string messageId) =>
        InvocationAnswer.PostAsync(client, "/PullRequestEvents", HostInvocation.ServiceBus(body, messageId, HostEncoding.Binary));

    private static byte[][] MeisReview() =>
    [
        TestEvent.Sample("pullrequest.comment.edited", "e2e-edit"),
        TestEvent.Sample("pullrequest.approved", "e2e-approve"),
        TestEvent.Sample("pullrequest.unapproved", "e2e-unapprove"),
    ];

    [Fact]
    public async Task ThreeEventsAreBatchedAndTheTimerSendsOneDigestPerRecipient()
    {
        await using var smtp = await SmtpServerProcess.StartAsync(new SmtpServerOptions());
        var (process, client) = await StartAsync(Environment(smtp.Port));
        await using var _ = process;
        using var __ = client;

        var answers = new List<InvocationAnswer>();
        var i = 0;
        foreach (var body in MeisReview())
        {
            answers.Add(await PostAsync(client, body, $"m-{i++}"));
        }

        Assert.All(answers, a => Assert.Equal((HttpStatusCode.OK, "batched"), (a.Status, a.Outcome)));
        Assert.All(answers, a => Assert.Contains(a.Logs, l => l.StartsWith("batched event", StringComparison.Ordinal)));
        Assert.Empty(smtp.Messages);
        var early = await FlushAsync(client);
        Assert.Equal(0, early.Json.GetProperty("ReturnValue").GetProperty("digests").GetInt32());

        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var flush = await FlushAsync(client);

        Assert.Equal(HttpStatusCode.OK, flush.Status);
        Assert.Equal(2, flush.Json.GetProperty("ReturnValue").GetProperty("digests").GetInt32());
        var messages = smtp.Messages;
        Assert.Equal(2, messages.Count);
        Assert.All(messages, m => Assert.Contains("X-Notifier-Batch-Size: 3", m.Text, StringComparison.Ordinal));
        Assert.Equal(["priya.raman@example.com", "tomas.alvarez@example.com"], messages.SelectMany(m => m.RcptTos).Order(StringComparer.Ordinal));
        Assert.Contains("Batched event e2e-approve", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoServeProcessesFlushingAtTheSameMomentSendEachDigestOnce()
    {
        await using var smtp = await SmtpServerProcess.StartAsync(new SmtpServerOptions());
        var (first, firstClient) = await StartAsync(Environment(smtp.Port));
        var (second, secondClient) = await StartAsync(Environment(smtp.Port));
        await using var _ = first;
        await using var __ = second;
        using var ___ = firstClient;
        using var ____ = secondClient;
        for (var pr = 0; pr < 10; pr++)
        {
            var body = TestEvent.Sample("pullrequest.approved", $"e2e-approve-{pr}", change: json => json["pullRequest"]!["id"] = 2000 + pr);
            Assert.Equal("batched", (await PostAsync(pr % 2 == 0 ? firstClient : secondClient, body, $"m-{pr}")).Outcome);
        }

        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var flushes = await Task.WhenAll(FlushAsync(firstClient), FlushAsync(secondClient));

        Assert.All(flushes, f => Assert.Equal(HttpStatusCode.OK, f.Status));
        Assert.Equal(20, flushes.Sum(f => f.Json.GetProperty("ReturnValue").GetProperty("digests").GetInt32()));
        var messages = smtp.Messages;
        Assert.Equal(20, messages.Count);
        // One per (recipient, pull request): no digest twice.
        Assert.Equal(20, messages.Select(m => (m.RcptTos[0], System.Text.RegularExpressions.Regex.Match(m.Text, "In-Reply-To: <([^>]+)>").Groups[1].Value)).Distinct().Count());
    }

    [Fact]
    public async Task AMessageHandledByOneProcessAndRedeliveredToAnotherMailsNobodyTwice()
    {
        await using var smtp = await SmtpServerProcess.StartAsync(new SmtpServerOptions());
        var environment = Environment(smtp.Port);
        environment["Notifications__Batching__Mode"] = "Immediate";
        var (first, firstClient) = await StartAsync(environment);
        var (second, secondClient) = await StartAsync(environment);
        await using var _ = first;
        await using var __ = second;
        using var ___ = firstClient;
        using var ____ = secondClient;
        var body = Repo.Sample("pullrequest.approved");

        var handled = await PostAsync(firstClient, body, "lost-lock-1");
        var redelivered = await InvocationAnswer.PostAsync(secondClient, "/PullRequestEvents", HostInvocation.ServiceBus(body, "lost-lock-1", HostEncoding.Binary, deliveryCount: 2));

        Assert.Equal("delivered", handled.Outcome);
        Assert.Equal(HttpStatusCode.OK, redelivered.Status);
        Assert.Equal("delivered", redelivered.Outcome);
        Assert.True(redelivered.Json.GetProperty("ReturnValue").GetProperty("duplicate").GetBoolean());
        Assert.Contains(redelivered.Logs, l => l.Contains("was handled already", StringComparison.Ordinal));
        Assert.Equal(2, smtp.Messages.Count);
    }

    [Fact]
    public async Task WithTheStoreUnreachableTheEventIsSentAtOnceAndAWarningLogged()
    {
        await using var smtp = await SmtpServerProcess.StartAsync(new SmtpServerOptions());
        using var down = new RefusingPort();
        var closed = down.Port;
        var storage = $"DefaultEndpointsProtocol=http;AccountName={AzuriteServer.AccountName};AccountKey={AzuriteServer.AccountKey};TableEndpoint=http://127.0.0.1:{closed}/{AzuriteServer.AccountName};";
        var (process, client) = await StartAsync(Environment(smtp.Port, storage));
        await using var _ = process;
        using var __ = client;

        var answer = await PostAsync(client, Repo.Sample("pullrequest.approved"), "m-1");

        Assert.Equal("delivered", answer.Outcome);
        Assert.Equal(2, smtp.Messages.Count);
        Assert.Contains("could not be reached", process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(AzuriteServer.AccountKey, process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotifierFlushAllSendsWhatDeliverBatched()
    {
        await using var smtp = await SmtpServerProcess.StartAsync(new SmtpServerOptions());
        var environment = Environment(smtp.Port);
        environment["Notifications__Batching__QuietPeriod"] = "01:00:00";
        environment["Notifications__Batching__MaxDelay"] = "02:00:00";
        var folder = Directory.CreateTempSubdirectory("notifier-events-").FullName;
        var i = 0;
        foreach (var body in MeisReview())
        {
            await File.WriteAllBytesAsync(Path.Combine(folder, $"{i++}.json"), body);
        }

        var (deliverExit, deliverOutput) = await NotifierProcess.RunAsync(environment, null, null, "deliver", folder);
        var (dueExit, dueOutput) = await NotifierProcess.RunAsync(environment, null, null, "flush");
        var (allExit, allOutput) = await NotifierProcess.RunAsync(environment, null, null, "flush", "--all");

        Assert.Equal(0, deliverExit);
        Assert.Contains("delivered 0, dropped 0, rejected 0, batched 3", deliverOutput, StringComparison.Ordinal);
        Assert.Equal((0, true), (dueExit, dueOutput.Contains("flushed 0 digest(s)", StringComparison.Ordinal)));
        Assert.Equal(0, allExit);
        Assert.Contains("flushed 2 digest(s) with 6 update(s): 2 sent, 0 dropped", allOutput, StringComparison.Ordinal);
        Assert.Equal(2, smtp.Messages.Count);
        Directory.Delete(folder, recursive: true);
    }
}
