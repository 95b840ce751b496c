using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Notifier.Tests.Support;

namespace Notifier.Tests.Functions;

/// <summary>
/// <c>POST /BitbucketWebhook</c> in memory, with invocations shaped as the Functions host sends them: the
/// signature, the event key, and which output (if any) the unchanged body lands on.
/// </summary>
public sealed class BitbucketWebhookEndpointTests
{
    private static Dictionary<string, string?> Settings(string? secret = WebhookCall.Secret, bool allowUnsigned = false) => new()
    {
        ["Notifications:BaseUrl"] = "https://git.example.com/",
        ["Bitbucket:WebhookSecret"] = secret,
        ["Bitbucket:AllowUnsignedWebhooks"] = allowUnsigned ? "true" : null,
    };

    public static TheoryData<string, string> Captures()
    {
        var data = new TheoryData<string, string>();
        foreach (var path in Directory.EnumerateFiles(Repo.Path("samples", "bitbucket"), "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var file = Path.GetRelativePath(Repo.Path("samples", "bitbucket"), path).Replace('\\', '/');
            var key = JsonDocument.Parse(File.ReadAllBytes(path)).RootElement.GetProperty("eventKey").GetString()!;
            data.Add(file, key.StartsWith("pr:", StringComparison.Ordinal) ? "pullrequests" : "repositories");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public async Task EachCaptureLandsUnchangedOnTheOutputOfItsQueue(string capture, string output)
    {
        await using var handler = new Handler(Settings());
        var call = WebhookCall.Capture(capture);

        var answer = await handler.PostAsync(call);

        Assert.Equal(202, answer.Status);
        Assert.Equal(new[] { output, "res" }.Order(StringComparer.Ordinal), answer.OutputNames);
        Assert.Equal(call.Body, Encoding.UTF8.GetBytes(answer.Forwarded(output)!));
        Assert.Equal(output == "pullrequests" ? "pullrequest-events" : "repository-events", answer.Body.GetProperty("queue").GetString());
        Assert.Equal(call.EventKey, answer.Body.GetProperty("eventKey").GetString());
        Assert.Contains(handler.Logs.Entries, e => e.EventId == 3300 && e.Text.Contains(call.EventKey!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheExactBytesAreForwardedEvenWhenTheyAreNotHowASerializerWouldWriteThem()
    {
        await using var handler = new Handler(Settings());
        // Odd spacing, escaped and non-ASCII characters, key order: all must survive, since the signature covers them.
        var body = Encoding.UTF8.GetBytes(
            Encoding.UTF8.GetString(File.ReadAllBytes(Repo.Path("samples", "bitbucket", "pr_opened.json")))
                .Replace("\"title\": \"Update README\"", "\"title\"  :\t\"Update README \\u00e9 — ünïcödé \\\"quoted\\\"\"", StringComparison.Ordinal));
        var call = WebhookCall.Signed(body, "pr:opened");

        var answer = await handler.PostAsync(call);

        Assert.Equal(202, answer.Status);
        Assert.Equal(body, Encoding.UTF8.GetBytes(answer.Forwarded("pullrequests")!));
    }

    [Theory]
    [InlineData("wrong")]
    [InlineData("missing")]
    [InlineData("sha1=0123456789abcdef0123456789abcdef01234567")]
    [InlineData("sha256=xyz")]
    [InlineData("sha256=")]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    public async Task AWrongMissingOrMalformedSignatureIs401AndForwardsNothing(string signature)
    {
        await using var handler = new Handler(Settings());
        var body = File.ReadAllBytes(Repo.Path("samples", "bitbucket", "pr_opened.json"));
        var header = signature switch
        {
            "wrong" => Notifier.Webhooks.WebhookSignature.Sign(body, "another secret"),
            "missing" => null,
            _ => signature,
        };

        var answer = await handler.PostAsync(new WebhookCall(body, "pr:opened", header));

        Assert.Equal(401, answer.Status);
        Assert.Equal(["res"], answer.OutputNames);
        var warning = Assert.Single(handler.Logs.Entries, e => e.EventId == 3301);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.DoesNotContain("Update README", handler.Logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain("gopher", handler.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASignatureOverADifferentBodyIs401()
    {
        await using var handler = new Handler(Settings());
        var body = File.ReadAllBytes(Repo.Path("samples", "bitbucket", "pr_merged.json"));
        var tampered = body.ToArray();
        tampered[^3] ^= 0x01;

        var answer = await handler.PostAsync(new WebhookCall(tampered, "pr:merged", Notifier.Webhooks.WebhookSignature.Sign(body, WebhookCall.Secret)));

        Assert.Equal(401, answer.Status);
        Assert.Equal(["res"], answer.OutputNames);
    }

    [Fact]
    public async Task WithoutAConfiguredSecretEveryRequestIs401AndTheAnswerNamesTheSetting()
    {
        await using var handler = new Handler(Settings(secret: null));
        var call = WebhookCall.Capture("pr_opened.json");

        var signed = await handler.PostAsync(call);
        var unsigned = await handler.PostAsync(call with { Signature = null });

        Assert.All([signed, unsigned], a => Assert.Equal(401, a.Status));
        Assert.All([signed, unsigned], a => Assert.Equal(["res"], a.OutputNames));
        Assert.Contains("Bitbucket__WebhookSecret", unsigned.Body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AKeyVaultReferenceThatDidNotResolveIsNeverUsedAsTheSecret(bool allowUnsigned)
    {
        // The platform leaves the reference text in the setting when it cannot resolve it; that text is public.
        const string reference = "@Microsoft.KeyVault(VaultName=kv-abc;SecretName=bitbucket-webhook-secret)";
        await using var handler = new Handler(Settings(secret: reference, allowUnsigned: allowUnsigned));
        var body = File.ReadAllBytes(Repo.Path("samples", "bitbucket", "pr_opened.json"));

        var signedWithTheReference = await handler.PostAsync(new WebhookCall(body, "pr:opened", Notifier.Webhooks.WebhookSignature.Sign(body, reference)));
        var unsigned = await handler.PostAsync(new WebhookCall(body, "pr:opened", null));

        Assert.All([signedWithTheReference, unsigned], a => Assert.Equal(401, a.Status));
        Assert.All([signedWithTheReference, unsigned], a => Assert.Equal(["res"], a.OutputNames));
        Assert.Contains("Key Vault reference that did not resolve", unsigned.Body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnsignedRequestsAreForwardedOnlyWhenAllowed()
    {
        await using var handler = new Handler(Settings(secret: null, allowUnsigned: true));
        var call = WebhookCall.Capture("repo_refs_changed.json") with { Signature = null };

        var answer = await handler.PostAsync(call);

        Assert.Equal(202, answer.Status);
        Assert.Equal(call.Body, Encoding.UTF8.GetBytes(answer.Forwarded("repositories")!));
    }

    [Fact]
    public async Task WhenUnsignedRequestsAreAllowedAWrongSignatureIsStillRefused()
    {
        await using var handler = new Handler(Settings(allowUnsigned: true));
        var call = WebhookCall.Capture("repo_refs_changed.json");

        var answer = await handler.PostAsync(call with { Signature = Notifier.Webhooks.WebhookSignature.Sign(call.Body, "old secret") });

        Assert.Equal(401, answer.Status);
        Assert.Equal(["res"], answer.OutputNames);
    }

    [Fact]
    public async Task TestConnectionPingIsAnswered200AndForwardsNothing()
    {
        await using var handler = new Handler(Settings());
        var body = Encoding.UTF8.GetBytes("{\"test\": true}");

        var answer = await handler.PostAsync(WebhookCall.Signed(body, "diagnostics:ping"));

        Assert.Equal(200, answer.Status);
        Assert.Equal(["res"], answer.OutputNames);
        Assert.Equal("diagnostics:ping", answer.Body.GetProperty("eventKey").GetString());
        Assert.Contains(handler.Logs.Entries, e => e.EventId == 3302);
    }

    [Fact]
    public async Task AnUnsignedPingIsRefusedSoTestConnectionAlsoChecksTheSecret()
    {
        await using var handler = new Handler(Settings());

        var answer = await handler.PostAsync(new WebhookCall(Encoding.UTF8.GetBytes("{\"test\": true}"), "diagnostics:ping", null));

        Assert.Equal(401, answer.Status);
    }

    [Theory]
    [InlineData("project:modified")]
    [InlineData("mirror:repo_synchronized")]
    public async Task OtherKeysAreAnswered202AndIgnored(string key)
    {
        await using var handler = new Handler(Settings());
        var body = Encoding.UTF8.GetBytes($"{{\"eventKey\": \"{key}\", \"date\": \"2026-11-29T20:00:00+0000\"}}");

        var answer = await handler.PostAsync(WebhookCall.Signed(body, key));

        Assert.Equal(202, answer.Status);
        Assert.Equal(["res"], answer.OutputNames);
        Assert.Contains(handler.Logs.Entries, e => e.EventId == 3303 && e.Text.Contains(key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ABodyThatIsNotJsonIs400WithTheReason()
    {
        await using var handler = new Handler(Settings());

        var answer = await handler.PostAsync(WebhookCall.Signed(Encoding.UTF8.GetBytes("eventKey=pr:opened&id=5"), "pr:opened"));

        Assert.Equal(400, answer.Status);
        Assert.Equal(["res"], answer.OutputNames);
        Assert.StartsWith("the body is not JSON", answer.Body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABodyOverTheEventSizeLimitIs413WithTheReason()
    {
        await using var handler = new Handler(Settings());
        var padding = new string('x', 300 * 1024);
        var body = Encoding.UTF8.GetBytes($"{{\"eventKey\": \"pr:opened\", \"padding\": \"{padding}\"}}");

        var answer = await handler.PostAsync(WebhookCall.Signed(body, "pr:opened"));

        Assert.Equal(413, answer.Status);
        Assert.Equal(["res"], answer.OutputNames);
        Assert.Equal("the body is 301 KB; the event size limit is 256 KB", answer.Body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task AHeaderKeyThatDisagreesWithTheBodysEventKeyIs400()
    {
        await using var handler = new Handler(Settings());
        var body = File.ReadAllBytes(Repo.Path("samples", "bitbucket", "pr_merged.json"));

        var answer = await handler.PostAsync(WebhookCall.Signed(body, "repo:refs_changed"));

        Assert.Equal(400, answer.Status);
        Assert.Equal(["res"], answer.OutputNames);
        Assert.Contains("does not match the body's eventKey 'pr:merged'", answer.Body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutTheHeaderTheBodysEventKeyDecides()
    {
        await using var handler = new Handler(Settings());
        var call = WebhookCall.Capture("repo_forked.json") with { EventKey = null };

        var answer = await handler.PostAsync(call);

        Assert.Equal(202, answer.Status);
        Assert.Equal(["repositories", "res"], answer.OutputNames);
    }

    [Fact]
    public async Task ABodyWithoutEventKeyIsRefusedBecauseTheQueueCouldNotTellWhatItIs()
    {
        await using var handler = new Handler(Settings());

        var answer = await handler.PostAsync(WebhookCall.Signed(Encoding.UTF8.GetBytes("{\"pullRequest\": {}}"), "pr:opened"));

        Assert.Equal(400, answer.Status);
        Assert.Equal(["res"], answer.OutputNames);
    }

    [Fact]
    public async Task LowerCaseHeaderNamesFromAFrontEndAreRead()
    {
        await using var handler = new Handler(Settings());
        var call = WebhookCall.Capture("pr_declined.json") with { LowerCaseHeaderNames = true };

        var answer = await handler.PostAsync(call);

        Assert.Equal(202, answer.Status);
        Assert.Equal(["pullrequests", "res"], answer.OutputNames);
    }

    [Fact]
    public async Task AnOctetStreamBodyArrivesAsBase64AndIsCheckedOverItsBytes()
    {
        await using var handler = new Handler(Settings());
        var call = WebhookCall.Capture("pr_deleted.json") with { ContentType = "application/octet-stream" };

        var answer = await handler.PostAsync(call);

        Assert.Equal(202, answer.Status);
        Assert.Equal(call.Body, Encoding.UTF8.GetBytes(answer.Forwarded("pullrequests")!));
    }

    [Fact]
    public async Task TheSecretNeverAppearsInLogsAnswersOrOutputs()
    {
        await using var handler = new Handler(Settings());
        var body = File.ReadAllBytes(Repo.Path("samples", "bitbucket", "pr_opened.json"));
        WebhookCall[] calls =
        [
            WebhookCall.Signed(body, "pr:opened"),
            new(body, "pr:opened", Notifier.Webhooks.WebhookSignature.Sign(body, "not the secret")),
            new(body, "pr:opened", "sha256=" + WebhookCall.Secret),
            new(body, "pr:opened", null),
            WebhookCall.Signed(Encoding.UTF8.GetBytes("{\"test\": true}"), "diagnostics:ping"),
            WebhookCall.Signed(Encoding.UTF8.GetBytes("not json"), "pr:opened"),
        ];

        var texts = new List<string>();
        foreach (var call in calls)
        {
            texts.Add((await handler.PostAsync(call)).Raw);
        }

        Assert.NotEmpty(handler.Logs.Entries);
        Assert.DoesNotContain(WebhookCall.Secret, handler.Logs.AllText, StringComparison.Ordinal);
        Assert.All(texts, t => Assert.DoesNotContain(WebhookCall.Secret, t, StringComparison.Ordinal));
    }

    /// <summary>The handler in memory, with its log captured.</summary>
    private sealed class Handler : IAsyncDisposable
    {
        private readonly HandlerFactory _factory;
        private readonly HttpClient _client;

        public Handler(Dictionary<string, string?> settings)
        {
            _factory = new HandlerFactory(settings, services => services.AddSingleton<ILoggerProvider>(Logs));
            _client = _factory.CreateClient();
        }

        public CapturingLoggerProvider Logs { get; } = new();

        public async Task<WebhookAnswer> PostAsync(WebhookCall call)
        {
            var answer = await InvocationAnswer.PostAsync(_client, "/BitbucketWebhook", call.Invocation());
            Assert.Equal(HttpStatusCode.OK, answer.Status);
            return new WebhookAnswer(answer);
        }

        public async ValueTask DisposeAsync()
        {
            _client.Dispose();
            await _factory.DisposeAsync();
        }
    }
}
