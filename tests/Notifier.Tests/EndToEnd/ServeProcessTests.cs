using Notifier.Smtp.Tests.Servers;
using System.Net;
using System.Text;
using System.Text.Json;
using Notifier.Tests.Support;

namespace Notifier.Tests.EndToEnd;

/// <summary>
/// <c>notifier serve</c> as a real process, called the way the Functions host calls it, sending through a
/// real SMTP server process.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ServeProcessTests
{
    /// <summary>The serve settings for a local SMTP server; <c>warmUpLog</c> adds the warm-up's debug lines.</summary>
    private static Dictionary<string, string?> Environment(int smtpPort, int maxConnections = 4, bool warmUpLog = false)
    {
        var environment = new Dictionary<string, string?>
        {
            ["Mail__Host"] = "127.0.0.1",
            ["Mail__Port"] = smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Mail__Tls"] = "None",
            ["Mail__From"] = "Code Review <noreply@example.com>",
            ["Mail__MaxConnections"] = maxConnections.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Notifications__BaseUrl"] = "https://git.example.com/",
            // These tests are about sending each event; digests have their own (ServeBatchingTests).
            ["Notifications__Batching__Mode"] = "Immediate",
        };
        if (warmUpLog)
        {
            environment["Logging__LogLevel__Notifier.Hosting"] = "Debug";
        }

        return environment;
    }

    private static Task<(NotifierProcess Process, HttpClient Client)> StartAsync(Dictionary<string, string?> environment) =>
        NotifierProcess.ServeAsync(environment);

    [Fact]
    public async Task AnEventPostedLikeTheHostReachesARealSmtpServer()
    {
        await using var smtp = await SmtpServerProcess.StartAsync(new SmtpServerOptions());
        var (process, client) = await StartAsync(Environment(smtp.Port));
        await using var _ = process;
        using var __ = client;

        var answer = await InvocationAnswer.PostAsync(client, "/PullRequestEvents", HostInvocation.ServiceBus(Repo.Sample("pullrequest.opened"), "e2e-1", HostEncoding.Binary));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("delivered", answer.Outcome);
        var messages = smtp.Messages;
        Assert.NotEmpty(messages);
        Assert.All(messages, m => Assert.Contains("X-Notifier-Event: pullrequest.opened", m.Text, StringComparison.Ordinal));
        Assert.All(messages, m => Assert.Contains("From: Code Review <noreply@example.com>", m.Text, StringComparison.Ordinal));
        Assert.Contains(answer.Logs, l => l.Contains("250 2.0.0 Ok: queued", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheMailConnectionIsOpenedAtStartAndCarriesTheFirstEvent()
    {
        await using var smtp = await SmtpServerProcess.StartAsync(new SmtpServerOptions());
        var (process, client) = await StartAsync(Environment(smtp.Port, warmUpLog: true));
        await using var _ = process;
        using var __ = client;

        // Before any invocation: the warm-up has connected (EHLO done, the connection in the pool) and sent nothing.
        await WaitForAsync(() => process.Output.Contains("Warm-up opened a mail connection", StringComparison.Ordinal));
        var early = await smtp.WaitForSessionsAsync(s => s.Count == 1, TimeSpan.FromSeconds(30));
        Assert.Single(early);
        Assert.Empty(smtp.Messages);

        var answer = await InvocationAnswer.PostAsync(client, "/PullRequestEvents", HostInvocation.ServiceBus(Repo.Sample("pullrequest.approved"), "warm-1", HostEncoding.Binary));

        Assert.Equal("delivered", answer.Outcome);
        Assert.NotEmpty(smtp.Messages);
        Assert.Single(smtp.Sessions);
    }

    [Fact]
    public async Task TheSettingsAreReportedAfterTheWarmUpWithoutWaitingForTheMailServer()
    {
        // A server that accepts the connection and never greets: the warm-up's connection waits out the
        // command timeout (60 s), and the start-up report must not wait with it.
        await using var smtp = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Faults = ["silent"] });
        var (process, client) = await StartAsync(Environment(smtp.Port, warmUpLog: true));
        await using var _ = process;
        using var __ = client;

        await WaitForAsync(() => process.Output.Contains("AzureWebJobsStorage is not set", StringComparison.Ordinal));

        var output = process.Output;
        var rendered = output.IndexOf("Warm-up rendered and encoded 2 email(s)", StringComparison.Ordinal);
        Assert.True(rendered >= 0, output);
        Assert.True(rendered < output.IndexOf("AzureWebJobsStorage is not set", StringComparison.Ordinal), output);
        Assert.DoesNotContain("Warm-up opened a mail connection", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMalformedBodyComesBackInOutputsRejectedAndNothingIsSent()
    {
        await using var smtp = await SmtpServerProcess.StartAsync(new SmtpServerOptions());
        var (process, client) = await StartAsync(Environment(smtp.Port));
        await using var _ = process;
        using var __ = client;
        const string body = "<xml>not an event</xml>";

        var answer = await InvocationAnswer.PostAsync(client, "/RepositoryEvents", HostInvocation.ServiceBus(Encoding.UTF8.GetBytes(body), "e2e-2", HostEncoding.JsonEncodedStrings));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(body, answer.Rejected!.Value.GetProperty("body").GetString());
        Assert.Equal("repository-events", answer.Rejected!.Value.GetProperty("queue").GetString());
        Assert.Empty(smtp.Messages);
    }

    [Fact]
    public async Task WithTheSmtpServerDownTheAnswerIs200AndTheDropIsLogged()
    {
        using var down = new RefusingPort();
        var (process, client) = await StartAsync(Environment(down.Port));
        await using var _ = process;
        using var __ = client;

        var answer = await InvocationAnswer.PostAsync(client, "/PullRequestEvents", HostInvocation.ServiceBus(Repo.Sample("pullrequest.merged"), "e2e-3", HostEncoding.Binary));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("dropped", answer.Outcome);
        Assert.Null(answer.Rejected);
        await WaitForAsync(() => process.Output.Contains("Dropped event", StringComparison.Ordinal));
        Assert.Contains("fail: Notifier.Notifications.Delivery.DeliveryPipeline[1002]", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheServersRefusalReachesTheDropLogAndTheInvocationsSummary()
    {
        await using var smtp = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Faults = ["data-451"] });
        var (process, client) = await StartAsync(Environment(smtp.Port));
        await using var _ = process;
        using var __ = client;
        const string refusal = "refused the message after DATA: 451 4.3.0 Error: queue file write error";

        var answer = await InvocationAnswer.PostAsync(client, "/PullRequestEvents", HostInvocation.ServiceBus(Repo.Sample("pullrequest.merged"), "e2e-451", HostEncoding.Binary));

        Assert.Equal("dropped", answer.Outcome);
        Assert.Contains(answer.Logs, l => l.StartsWith("dropped event", StringComparison.Ordinal) && l.Contains(refusal, StringComparison.Ordinal));
        Assert.Contains(refusal, answer.Json.GetProperty("ReturnValue").GetProperty("reason").GetString(), StringComparison.Ordinal);
        await WaitForAsync(() => process.Output.Contains("Dropped event", StringComparison.Ordinal));
        Assert.Contains(process.Output.Split('\n'), l => l.Contains("Dropped event", StringComparison.Ordinal) && l.Contains(refusal, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SixteenConcurrentInvocationsShareTheConnectionPool()
    {
        await using var smtp = await SmtpServerProcess.StartAsync(new SmtpServerOptions());
        var (process, client) = await StartAsync(Environment(smtp.Port, maxConnections: 4));
        await using var _ = process;
        using var __ = client;
        var body = Repo.Sample("pullrequest.approved");

        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            InvocationAnswer.PostAsync(client, "/PullRequestEvents", HostInvocation.ServiceBus(body, $"c-{i}", HostEncoding.Binary))));

        Assert.All(answers, a => Assert.Equal("delivered", a.Outcome));
        var sent = answers.Sum(a => a.Json.GetProperty("ReturnValue").GetProperty("outcome").GetString() == "delivered" ? 1 : 0);
        Assert.Equal(16, sent);
        Assert.True(smtp.Messages.Count >= 16);
        Assert.InRange(smtp.Sessions.Count, 1, 4);
    }

    [Fact]
    public async Task TheTestEmailGoesThroughEveryStageAndReportsThem()
    {
        await using var smtp = await SmtpServerProcess.StartAsync(new SmtpServerOptions());
        var (process, client) = await StartAsync(Environment(smtp.Port));
        await using var _ = process;
        using var __ = client;

        var answer = await InvocationAnswer.PostAsync(client, "/SendTestEmail", HostInvocation.Http("{\"to\": \"admin@example.com\"}"));

        var res = answer.Outputs.GetProperty("res");
        Assert.Equal(200, res.GetProperty("statusCode").GetInt32());
        using var report = JsonDocument.Parse(res.GetProperty("body").GetString()!);
        Assert.True(report.RootElement.GetProperty("sent").GetBoolean());
        var stages = report.RootElement.GetProperty("stages").EnumerateArray().Select(s => s.GetProperty("stage").GetString()).ToList();
        Assert.Contains("connect", stages);
        Assert.Contains("EHLO", stages);
        Assert.Contains("DATA", stages);
        Assert.Equal(["admin@example.com"], smtp.Messages.Single().RcptTos);
    }

    [Fact]
    public async Task WithoutTheHandlerPortServeSaysWhichSettingIsMissing()
    {
        var (exitCode, output) = await NotifierProcess.RunAsync(new Dictionary<string, string?>(), null, null, "serve");

        Assert.Equal(2, exitCode);
        Assert.Contains("FUNCTIONS_CUSTOMHANDLER_PORT is not set", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithUnusableSettingsServeKeepsRunningAndLogsEveryProblem()
    {
        using var down = new RefusingPort();
        var environment = Environment(down.Port);
        environment["Mail__Tls"] = "Sometimes";
        environment["Mail__From"] = null;
        var (process, client) = await StartAsync(environment);
        await using var _ = process;
        using var __ = client;

        var answer = await InvocationAnswer.PostAsync(client, "/PullRequestEvents", HostInvocation.ServiceBus(Repo.Sample("pullrequest.opened"), "m", HostEncoding.Binary));

        Assert.Equal(HttpStatusCode.InternalServerError, answer.Status);
        await WaitForAsync(() => process.Output.Contains("Mail__Tls", StringComparison.Ordinal));
        Assert.Contains("Mail__From", process.Output, StringComparison.Ordinal);
        Assert.False(process.Process.HasExited);
    }

    private static Task WaitForAsync(Func<bool> condition) => Eventually.TrueAsync(condition, "the handler's log line");
}
