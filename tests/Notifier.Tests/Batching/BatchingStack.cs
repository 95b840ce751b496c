using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Notifier.Hosting;
using Notifier.Notifications.Batching;
using Notifier.Notifications.Delivery;
using Notifier.Smtp.Tests.Servers;
using Notifier.Storage;
using Notifier.Tests.Support;

namespace Notifier.Tests.Batching;

/// <summary>
/// The app's real services (pipeline, table store, flusher, ledger) over an Azurite account, with a clock the
/// test moves and the outbox transport (Mail__Host empty), whose .eml files are read back with Python's email
/// parser.
/// </summary>
internal sealed class BatchingStack : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public BatchingStack(string? storage, IReadOnlyDictionary<string, string?>? settings = null, DateTimeOffset? start = null)
    {
        Outbox = Directory.CreateTempSubdirectory("notifier-outbox-").FullName;
        Clock = new FakeTimeProvider(start ?? new DateTimeOffset(2026, 11, 21, 9, 0, 0, TimeSpan.Zero));
        var values = new Dictionary<string, string?>
        {
            ["Mail:OutboxDirectory"] = Outbox,
            ["Notifications:BaseUrl"] = "https://git.example.com/",
            ["Notifications:Batching:QuietPeriod"] = "00:10:00",
            ["Notifications:Batching:MaxDelay"] = "00:30:00",
            ["AzureWebJobsStorage"] = storage,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        services.AddSingleton<TimeProvider>(Clock);
        services.AddLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        services.AddNotifier();
        _services = services.BuildServiceProvider();
    }

    public FakeTimeProvider Clock { get; }

    public LogCollector Logs { get; } = new();

    public string Outbox { get; }

    public IServiceProvider Services => _services;

    public DeliveryPipeline Pipeline => _services.GetRequiredService<DeliveryPipeline>();

    public BatchFlusher Flusher => _services.GetRequiredService<Digests>().Flusher ?? throw new InvalidOperationException("no store");

    public Task<DeliveryResult> DeliverAsync(byte[] body) => Pipeline.DeliverAsync(body, eventKey: null, expectedCategory: null);

    public Task<FlushResult> FlushAsync(bool all = false) => Flusher.FlushAsync(all);

    /// <summary>Every email written so far, decoded.</summary>
    public async Task<IReadOnlyList<DecodedMessage>> MailAsync()
    {
        var files = Directory.GetFiles(Outbox, "*.eml").Order(StringComparer.Ordinal).ToList();
        return files.Count == 0 ? [] : await PythonEmailParser.DecodeFilesAsync(files);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        Directory.Delete(Outbox, recursive: true);
    }
}
