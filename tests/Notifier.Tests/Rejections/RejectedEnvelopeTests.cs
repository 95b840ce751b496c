using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Notifier.Invocations;
using Notifier.Rejections;
using Notifier.Tests.Storage;
using Notifier.Tests.Support;
using Notifier.Smtp.Tests.Servers;

namespace Notifier.Tests.Rejections;

/// <summary>
/// Rejected envelopes always fit the queue: bodies inline when they fit, whole in a blob (Azurite's real blob
/// server) when they do not, truncated with the reason when storage cannot be reached.
/// </summary>
public sealed class RejectedEnvelopeTests
{
    private const int ServiceBusStandardLimit = 256 * 1024;

    private static RejectedMessage Header(string messageId) => new()
    {
        Reason = "the body is not JSON",
        Queue = "pullrequest-events",
        Function = "PullRequestEvents",
        MessageId = messageId,
        RejectedAt = new DateTimeOffset(2026, 11, 29, 20, 0, 0, TimeSpan.Zero),
    };

    private static (RejectedEnvelope Envelope, LogLines Log) Create(string? storage, int? maxBytes = null, TimeSpan? storeTimeout = null)
    {
        var settings = new Dictionary<string, string?> { ["AzureWebJobsStorage"] = storage };
        var options = new RejectedOptions();
        if (maxBytes is { } max)
        {
            options.MaxEnvelopeBytes = max;
        }

        var log = new LogLines();
        var store = RejectedBodyStore.Create(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), options, storeTimeout);
        return (new RejectedEnvelope(options, store, log), log);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task ABodyOfQuotesTooLargeForTheEnvelopeIsStoredWholeInABlobWithItsNameSizeAndHash()
    {
        await using var azurite = await AzuriteServer.StartAsync(AzuriteService.Blob);
        var (envelope, log) = Create(azurite.ConnectionString);
        // 202 KB of quotes: each needs an escape, so inline it would be twice that.
        var body = Encoding.UTF8.GetBytes(new string('"', 202 * 1024));

        var text = await envelope.CreateAsync(Header("msg-quotes"), body, CancellationToken.None);

        Assert.True(Encoding.UTF8.GetByteCount(text) <= ServiceBusStandardLimit);
        using var json = JsonDocument.Parse(text);
        var root = json.RootElement;
        Assert.False(root.TryGetProperty("body", out _));
        Assert.Equal(body.Length, root.GetProperty("bodySize").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(body)), root.GetProperty("bodySha256").GetString());
        var blob = root.GetProperty("bodyBlob");
        Assert.Equal("rejected-bodies", blob.GetProperty("container").GetString());
        var name = blob.GetProperty("name").GetString()!;
        Assert.StartsWith("pullrequest-events/2026/11/29/msg-quotes-", name, StringComparison.Ordinal);
        var stored = await new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("rejected-bodies").GetBlobClient(name).DownloadContentAsync();
        Assert.Equal(body, stored.Value.Content.ToArray());
        Assert.Contains(log.Lines, l => l.Id == 3400 && l.Text.Contains(name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ANonAsciiBodyTravelsInlineAsUtf8NotAsEscapes()
    {
        var (envelope, _) = Create(storage: null);
        // 200 KB of UTF-8 that the default JSON encoder would have written as 600 KB of \u00e9.
        var text = new string('é', 100 * 1024) + " \"quoted\"";

        var answer = await envelope.CreateAsync(Header("msg-accents"), Encoding.UTF8.GetBytes(text), CancellationToken.None);

        Assert.True(Encoding.UTF8.GetByteCount(answer) <= ServiceBusStandardLimit);
        Assert.Equal(text, JsonDocument.Parse(answer).RootElement.GetProperty("body").GetString());
        Assert.DoesNotContain("\\u00", answer, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("quotes")]
    [InlineData("accents")]
    [InlineData("binary")]
    public async Task WhenStorageCannotBeReachedTheEnvelopeGoesOutTruncatedWithTheReasonAndStillFits(string kind)
    {
        using var down = new RefusingPort();
        var closed = $"DefaultEndpointsProtocol=http;AccountName={AzuriteServer.AccountName};AccountKey={AzuriteServer.AccountKey};BlobEndpoint=http://127.0.0.1:{down.Port}/{AzuriteServer.AccountName};";
        var (envelope, log) = Create(closed);
        var body = kind switch
        {
            "quotes" => Encoding.UTF8.GetBytes(new string('"', 300 * 1024)),
            "accents" => Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("日本語 é \"x\" ", 40_000))),
            _ => RandomNumberGenerator.GetBytes(400 * 1024),
        };

        var text = await envelope.CreateAsync(Header($"msg-{kind}"), body, CancellationToken.None);

        Assert.True(Encoding.UTF8.GetByteCount(text) <= ServiceBusStandardLimit, $"{Encoding.UTF8.GetByteCount(text)} bytes");
        var root = JsonDocument.Parse(text).RootElement;
        Assert.True(root.GetProperty("bodyTruncated").GetBoolean());
        Assert.Contains("could not be stored in blob container rejected-bodies", root.GetProperty("bodyTruncatedReason").GetString(), StringComparison.Ordinal);
        Assert.Equal(body.Length, root.GetProperty("bodySize").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(body)), root.GetProperty("bodySha256").GetString());
        var prefix = root.TryGetProperty("body", out var inline) ? Encoding.UTF8.GetBytes(inline.GetString()!) : Convert.FromBase64String(root.GetProperty("bodyBase64").GetString()!);
        Assert.True(prefix.Length > 64 * 1024, $"only {prefix.Length} bytes of the body kept");
        Assert.Equal(body.AsSpan(0, prefix.Length).ToArray(), prefix);
        Assert.Contains(log.Lines, l => l.Id == 3401 && l.Level == LogLevel.Error);
    }

    [Fact]
    public void AnAttemptToStoreABodyIsGiven20SecondsUnlessToldOtherwise()
    {
        var store = RejectedBodyStore.Create(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" }).Build(), new RejectedOptions());

        Assert.Equal(TimeSpan.FromSeconds(20), store.StoreTimeout);
    }

    [Fact]
    public async Task WhenStorageDoesNotAnswerInTimeTheEnvelopeGoesOutTruncatedWithThatReason()
    {
        await using var silent = await SilentPort.StartAsync();
        var account = $"DefaultEndpointsProtocol=http;AccountName={AzuriteServer.AccountName};AccountKey={AzuriteServer.AccountKey};BlobEndpoint=http://127.0.0.1:{silent.Port}/{AzuriteServer.AccountName};";
        var (envelope, log) = Create(account, storeTimeout: TimeSpan.FromSeconds(1));
        var body = Encoding.UTF8.GetBytes(new string('x', 300 * 1024));
        var took = System.Diagnostics.Stopwatch.StartNew();

        var text = await envelope.CreateAsync(Header("msg-silent"), body, CancellationToken.None);

        Assert.True(took.Elapsed < TimeSpan.FromSeconds(10), $"took {took.Elapsed}");
        var root = JsonDocument.Parse(text).RootElement;
        Assert.True(root.GetProperty("bodyTruncated").GetBoolean());
        var reason = root.GetProperty("bodyTruncatedReason").GetString();
        Assert.Contains("rejected-bodies", reason, StringComparison.Ordinal);
        Assert.Contains("did not answer within 1 s", reason, StringComparison.Ordinal);
        Assert.Equal(body.Length, root.GetProperty("bodySize").GetInt64());
        Assert.Contains(log.Lines, l => l.Id == 3401 && l.Level == LogLevel.Error && l.Text.Contains("did not answer within 1 s", StringComparison.Ordinal));
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task WhenStorageDeniesAccessTheEnvelopeGoesOutTruncatedWithTheServersReason()
    {
        await using var azurite = await AzuriteServer.StartAsync(AzuriteService.Blob);
        var wrongKey = azurite.ConnectionString.Replace(AzuriteServer.AccountKey, Convert.ToBase64String(new byte[64]), StringComparison.Ordinal);
        var (envelope, log) = Create(wrongKey);
        var body = Encoding.UTF8.GetBytes(new string('x', 300 * 1024));

        var text = await envelope.CreateAsync(Header("msg-denied"), body, CancellationToken.None);

        var root = JsonDocument.Parse(text).RootElement;
        Assert.True(root.GetProperty("bodyTruncated").GetBoolean());
        var reason = root.GetProperty("bodyTruncatedReason").GetString();
        Assert.Contains("could not be stored in blob container rejected-bodies", reason, StringComparison.Ordinal);
        Assert.Contains("authenticate", reason, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(body)), root.GetProperty("bodySha256").GetString());
        Assert.Contains(log.Lines, l => l.Id == 3401 && l.Level == LogLevel.Error);
        Assert.False(await new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("rejected-bodies").ExistsAsync());
    }

    [Fact]
    public async Task WithoutAStorageAccountTheReasonSaysWhichSettingToSet()
    {
        var (envelope, _) = Create(storage: null, maxBytes: 20_000);

        var text = await envelope.CreateAsync(Header("msg-small-limit"), Encoding.UTF8.GetBytes(new string('x', 30_000)), CancellationToken.None);

        Assert.True(Encoding.UTF8.GetByteCount(text) <= 20_000);
        Assert.Contains("set AzureWebJobsStorage", JsonDocument.Parse(text).RootElement.GetProperty("bodyTruncatedReason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task TheQueueFunctionAnswersWithAnEnvelopeThatFitsAndABlobForAnOversizeBody()
    {
        await using var azurite = await AzuriteServer.StartAsync(AzuriteService.Blob);
        await using var factory = new HandlerFactory(new Dictionary<string, string?>
        {
            ["Mail:Host"] = "mail.example.test",
            ["Mail:From"] = "Code Review <noreply@example.com>",
            ["Notifications:BaseUrl"] = "https://git.example.com/",
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
        });
        using var client = factory.CreateClient();
        var body = Encoding.UTF8.GetBytes("{\"type\": \"pullrequest.opened\", \"title\": \"" + new string('"', 300 * 1024) + "\"}");

        var answer = await InvocationAnswer.PostAsync(client, "/PullRequestEvents", HostInvocation.ServiceBus(body, "msg-big", HostEncoding.Binary));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("rejected", answer.Outcome);
        var rejected = answer.Rejected!.Value;
        Assert.True(Encoding.UTF8.GetByteCount(rejected.GetRawText()) <= ServiceBusStandardLimit);
        Assert.Equal(body.Length, rejected.GetProperty("bodySize").GetInt64());
        var name = rejected.GetProperty("bodyBlob").GetProperty("name").GetString()!;
        var stored = await new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("rejected-bodies").GetBlobClient(name).DownloadContentAsync();
        Assert.Equal(body, stored.Value.Content.ToArray());
    }

    [Fact]
    public async Task ARejectionFromTheQueueFunctionCarriesEveryFieldOfTheEnvelope()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 20, 15, 30, TimeSpan.Zero));
        await using var factory = new HandlerFactory(services: services => services.AddSingleton<TimeProvider>(clock));
        using var client = factory.CreateClient();
        var body = Repo.Sample("account.password-reset");

        var answer = await InvocationAnswer.PostAsync(client, "/PullRequestEvents", HostInvocation.ServiceBus(body, "msg-wrong-queue", HostEncoding.Binary, eventKey: "account:password-reset"));

        var rejected = answer.Rejected!.Value;
        Assert.Contains("does not belong on this queue", rejected.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("pullrequest-events", rejected.GetProperty("queue").GetString());
        Assert.Equal("PullRequestEvents", rejected.GetProperty("function").GetString());
        Assert.Equal("msg-wrong-queue", rejected.GetProperty("messageId").GetString());
        Assert.Equal("evt-2026-11-21-account-password-reset-1021", rejected.GetProperty("eventId").GetString());
        Assert.Equal("account.password-reset", rejected.GetProperty("eventType").GetString());
        Assert.Equal("account:password-reset", rejected.GetProperty("eventKey").GetString());
        Assert.Equal("application/json", rejected.GetProperty("contentType").GetString());
        Assert.Equal(clock.GetUtcNow(), rejected.GetProperty("rejectedAt").GetDateTimeOffset());
        Assert.Equal(Encoding.UTF8.GetString(body), rejected.GetProperty("body").GetString());
    }

    /// <summary>A port that takes connections and never answers: a storage endpoint that hangs.</summary>
    private sealed class SilentPort : IAsyncDisposable
    {
        private readonly System.Net.Sockets.TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<System.Net.Sockets.TcpClient> _held = [];
        private Task? _accepting;

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public static Task<SilentPort> StartAsync()
        {
            var port = new SilentPort();
            port._listener.Start();
            port._accepting = port.AcceptAsync();
            return Task.FromResult(port);
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            if (_accepting is not null)
            {
                await _accepting;
            }

            lock (_held)
            {
                _held.ForEach(c => c.Dispose());
            }
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var client = await _listener.AcceptTcpClientAsync();
                    lock (_held)
                    {
                        _held.Add(client);
                    }
                }
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                // Stopped.
            }
        }
    }

    /// <summary>Every log line the envelope writes, with its event id.</summary>
    private sealed class LogLines : ILogger<RejectedEnvelope>
    {
        private readonly List<(int Id, LogLevel Level, string Text)> _lines = [];

        public IReadOnlyList<(int Id, LogLevel Level, string Text)> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lines)
            {
                _lines.Add((eventId.Id, logLevel, formatter(state, exception)));
            }
        }
    }
}
