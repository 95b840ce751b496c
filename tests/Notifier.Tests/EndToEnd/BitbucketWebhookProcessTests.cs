using System.Text;
using Notifier.Smtp.Tests.Servers;
using Notifier.Tests.Support;

namespace Notifier.Tests.EndToEnd;

/// <summary>
/// The BitbucketWebhook function served by <c>notifier serve</c> as a real process, called the way the
/// Functions host calls it; the process's own console log is checked for the secret.
/// </summary>
[Trait("Category", "Integration")]
public sealed class BitbucketWebhookProcessTests
{
    private static Task<(NotifierProcess Process, HttpClient Client)> StartAsync(Dictionary<string, string?> bitbucket) =>
        NotifierProcess.ServeAsync(new Dictionary<string, string?>(bitbucket) { ["Notifications__BaseUrl"] = "https://git.example.com/" });

    [Fact]
    public async Task SignedCapturesAreForwardedForgedOnesRefusedAndTheSecretIsNeverPrinted()
    {
        var (process, client) = await StartAsync(new() { ["Bitbucket__WebhookSecret"] = WebhookCall.Secret });
        await using var _ = process;
        using var __ = client;

        var opened = WebhookCall.Capture("pr_opened.json");
        var forwarded = new WebhookAnswer(await InvocationAnswer.PostAsync(client, "/BitbucketWebhook", opened.Invocation()));
        var pushed = WebhookCall.Capture("repo_refs_changed.json");
        var pushForwarded = new WebhookAnswer(await InvocationAnswer.PostAsync(client, "/BitbucketWebhook", pushed.Invocation()));
        var forged = new WebhookAnswer(await InvocationAnswer.PostAsync(client, "/BitbucketWebhook", (opened with { Signature = "sha256=" + new string('a', 64) }).Invocation()));
        var ping = new WebhookAnswer(await InvocationAnswer.PostAsync(client, "/BitbucketWebhook", WebhookCall.Signed(Encoding.UTF8.GetBytes("{\"test\":true}"), "diagnostics:ping").Invocation()));

        Assert.Equal(202, forwarded.Status);
        Assert.Equal(opened.Body, Encoding.UTF8.GetBytes(forwarded.Forwarded("pullrequests")!));
        Assert.Equal(202, pushForwarded.Status);
        Assert.Equal(pushed.Body, Encoding.UTF8.GetBytes(pushForwarded.Forwarded("repositories")!));
        Assert.Equal(401, forged.Status);
        Assert.Equal(["res"], forged.OutputNames);
        Assert.Equal(200, ping.Status);
        Assert.Equal(["res"], ping.OutputNames);
        await WaitForAsync(() => process.Output.Contains("[3301]", StringComparison.Ordinal) && process.Output.Contains("[3302]", StringComparison.Ordinal));
        Assert.Contains("warn: Notifier.Functions.BitbucketWebhookHandler[3301]", process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(WebhookCall.Secret, process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Update README", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AllowingUnsignedWebhooksIsSaidAtStartAndTheyAreForwarded()
    {
        var (process, client) = await StartAsync(new() { ["Bitbucket__AllowUnsignedWebhooks"] = "true" });
        await using var _ = process;
        using var __ = client;

        var call = WebhookCall.Capture("pr_merged.json") with { Signature = null };
        var answer = new WebhookAnswer(await InvocationAnswer.PostAsync(client, "/BitbucketWebhook", call.Invocation()));

        Assert.Equal(202, answer.Status);
        Assert.Equal(call.Body, Encoding.UTF8.GetBytes(answer.Forwarded("pullrequests")!));
        await WaitForAsync(() => process.Output.Contains("Bitbucket__AllowUnsignedWebhooks is true", StringComparison.Ordinal));
        Assert.Contains("warn: Notifier.Hosting.HandlerApp[3305]", process.Output, StringComparison.Ordinal);
    }

    private static Task WaitForAsync(Func<bool> condition) => Eventually.TrueAsync(condition, "the handler's log line");
}
