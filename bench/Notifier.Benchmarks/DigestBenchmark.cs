using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Notifier.Hosting;
using Notifier.Notifications.Batching;
using Notifier.Notifications.Delivery;
using Notifier.Storage;
using Notifier.Tests.Storage;

namespace Notifier.Benchmarks;

/// <summary>
/// Batching against sending at once, in process with the app's own services (the pipeline, the table store, the
/// flusher) over a real Azurite table server and Postfix's smtp-sink, in one run: (a) an event sent at once
/// (Immediate mode: render + SMTP), (b) the same event batched (Batched mode: its items written to Table storage),
/// alternating repeat by repeat, then (c) flushing a given number of due digests (<c>FlushAsync(all: true)</c>).
/// Events go one after another, so each figure is the cost of one event, not of a saturated machine.
/// </summary>
internal sealed record DigestBenchmark(
    DigestBenchmarkOptions Options,
    int Recipients,
    double[] ImmediatePerEvent,
    double[] BatchedPerEvent,
    double[] ImmediateCpuPerEvent,
    double[] BatchedCpuPerEvent,
    double[] ImmediateLatencies,
    double[] BatchedLatencies,
    double[] FlushSeconds,
    double[] StoreRoundTrips,
    double[] StoreWrites,
    string LoadBefore,
    string LoadAfter)
{
    private const string SampleEvent = "pullrequest.comment.added.json";

    public static async Task<DigestBenchmark> RunAsync(DigestBenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var loadBefore = LoadAverage();
        var sample = JsonNode.Parse(File.ReadAllText(Path.Combine(Paths.RepositoryRoot(), "samples", "events", SampleEvent)))!.AsObject();
        await using var azurite = await AzuriteServer.StartAsync(AzuriteService.Table);
        await using var sink = await SmtpSink.StartAsync();
        await using var immediate = Services(azurite, sink.Port, BatchingMode.Immediate);
        await using var batched = Services(azurite, sink.Port, BatchingMode.Batched);
        var sendNow = immediate.GetRequiredService<DeliveryPipeline>();
        var store = batched.GetRequiredService<DeliveryPipeline>();
        var flusher = batched.GetRequiredService<Digests>().Flusher ?? throw new InvalidOperationException("no batch store: AzureWebJobsStorage was not read");

        // Warm-up of both paths: JIT, the SMTP pool, table creation.
        var recipients = 0;
        for (var i = 0; i < 20; i++)
        {
            recipients = Expect(await sendNow.DeliverAsync(Event(sample, $"warm-now-{i}", 1, singleRecipient: false), null, null), DeliveryOutcome.Delivered).MessagesSent;
            Expect(await store.DeliverAsync(Event(sample, $"warm-batch-{i}", 1, singleRecipient: false), null, null), DeliveryOutcome.Batched);
        }

        var immediatePerEvent = new List<(double Wall, double Cpu)>();
        var batchedPerEvent = new List<(double Wall, double Cpu)>();
        var immediateLatencies = new List<double>();
        var batchedLatencies = new List<double>();
        for (var repeat = 0; repeat < options.Repeats; repeat++)
        {
            immediatePerEvent.Add(await TimeEventsAsync(sendNow, sample, $"now-{repeat}", options.Events, DeliveryOutcome.Delivered, immediateLatencies));
            batchedPerEvent.Add(await TimeEventsAsync(store, sample, $"batch-{repeat}", options.Events, DeliveryOutcome.Batched, batchedLatencies));
        }

        var tables = batched.GetRequiredService<StorageAccount>().Tables ?? throw new InvalidOperationException("no tables");
        var roundTrips = new List<double>();
        for (var i = 0; i < 200; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await tables.Batches.GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>("bench-missing", $"row-{i}");
            roundTrips.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        // The store's part of (b) alone: one event's items for its recipients' waiting digests, straight into the store.
        var store2 = batched.GetRequiredService<Digests>().Store ?? throw new InvalidOperationException("no batch store");
        var sampleBody = Event(sample, "store-only", 1, singleRecipient: false);
        BatchItem[] Items(int i) => [.. Enumerable.Range(0, 3).Select(r => new BatchItem($"pr:BENCH/store/{i % 20}", $"person{r}@example.com", null, Notifier.Notifications.Recipients.RecipientReason.Reviewer, $"store-{i}", "pullrequest.comment.added", DateTimeOffset.UtcNow, sampleBody, null))];
        for (var i = 0; i < 20; i++)
        {
            await store2.AddAsync(Items(i), DateTimeOffset.UtcNow, CancellationToken.None);
        }

        var storeWrites = new List<double>();
        for (var i = 20; i < 220; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await store2.AddAsync(Items(i), DateTimeOffset.UtcNow, CancellationToken.None);
            storeWrites.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        // The digests of (b) are sent unmeasured, so that (c) finds exactly its own.
        await flusher.FlushAsync(all: true);

        var flushSeconds = new List<double>();
        for (var repeat = 0; repeat < options.FlushRepeats; repeat++)
        {
            await FillAsync(store, sample, repeat, options);
            var clock = Stopwatch.StartNew();
            var result = await flusher.FlushAsync(all: true);
            flushSeconds.Add(clock.Elapsed.TotalSeconds);
            if (result.Digests != options.Digests || result.Delivered != options.Digests || result.Items != options.Digests * options.ItemsPerDigest)
            {
                throw new InvalidOperationException($"flush {repeat}: expected {options.Digests} digests of {options.ItemsPerDigest} items delivered, got {result}");
            }
        }

        return new DigestBenchmark(
            options, recipients, [.. immediatePerEvent.Select(r => r.Wall)], [.. batchedPerEvent.Select(r => r.Wall)],
            [.. immediatePerEvent.Select(r => r.Cpu)], [.. batchedPerEvent.Select(r => r.Cpu)], [.. immediateLatencies.Order()], [.. batchedLatencies.Order()],
            [.. flushSeconds], [.. roundTrips], [.. storeWrites], loadBefore, LoadAverage());
    }

    public void Print()
    {
        var immediate = Stats.Median(ImmediatePerEvent);
        var batched = Stats.Median(BatchedPerEvent);
        var flush = Stats.Median(FlushSeconds);
        var perDigest = flush * 1000 / Options.Digests;
        var batchedWithFlush = batched + (perDigest / Options.ItemsPerDigest);
        Console.WriteLine($"digests: in process, Azurite table server (in memory) and smtp-sink on loopback; {SampleEvent} to {Recipients} recipients, events one after another");
        Console.WriteLine($"  load average before / after: {LoadBefore} / {LoadAfter} ({Environment.ProcessorCount} cores)");
        Console.WriteLine($"  {Options.Events} events per repeat, {Options.Repeats} repeats, immediate and batched alternating; per event = repeat time / events, median of repeats");
        Console.WriteLine();
        var immediateCpu = Stats.Median(ImmediateCpuPerEvent);
        var batchedCpu = Stats.Median(BatchedCpuPerEvent);
        Console.WriteLine("  measure                                     per event (ms)   p50 (ms)   p99 (ms)   CPU of this process per event (ms)");
        Console.WriteLine($"  (a) immediate: render + send ({Recipients} emails)   {immediate,12:F2}   {Stats.Percentile(ImmediateLatencies, 50),8:F2}   {Stats.Percentile(ImmediateLatencies, 99),8:F2}   {immediateCpu,8:F2}");
        Console.WriteLine($"  (b) batched: {Recipients} items into Table storage   {batched,12:F2}   {Stats.Percentile(BatchedLatencies, 50),8:F2}   {Stats.Percentile(BatchedLatencies, 99),8:F2}   {batchedCpu,8:F2}");
        Console.WriteLine($"  ratio batched / immediate                   {batched / immediate,12:F2}   (must stay below 1: {(batched < immediate ? "met" : "MISSED")}); CPU {batchedCpu / immediateCpu:F2}");
        Console.WriteLine($"  reference: one Table storage round trip (point read), median {Stats.Median(StoreRoundTrips):F2} ms; an event for waiting digests is one transaction for all its recipients, starting digests four requests");
        Console.WriteLine($"  of (b), the store alone: an event's {Recipients} items into waiting digests (one transaction), median {Stats.Median(StoreWrites):F2} ms, p99 {Stats.Percentile([.. StoreWrites.Order()], 99):F2} ms");
        Console.WriteLine();
        Console.WriteLine($"  (c) flush {Options.Digests:N0} due digests of {Options.ItemsPerDigest} items (FlushAsync all, {Options.FlushRepeats} repeats, median)");
        Console.WriteLine($"      total {flush,8:F2} s   per digest {perDigest,6:F2} ms   {Options.Digests / flush,8:F0} digests/s   (each repeat: {string.Join(", ", FlushSeconds.Select(s => s.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))} s)");
        var share = perDigest * Recipients / Options.ItemsPerDigest;
        Console.WriteLine($"  batched + its share of the flush ({Recipients} items, {Options.ItemsPerDigest} per digest): {batched:F2} + {share:F2} = {batched + share:F2} ms per event, {(batched + share) / immediate:F2} x immediate");
    }

    /// <summary>
    /// Sends <paramref name="count"/> events one after another; returns the mean time per event in ms, and the
    /// CPU time this process spent per event (Azurite and smtp-sink are other processes).
    /// </summary>
    private static async Task<(double Wall, double Cpu)> TimeEventsAsync(DeliveryPipeline pipeline, JsonObject sample, string prefix, int count, DeliveryOutcome expected, List<double> latencies)
    {
        // Built first: the JSON work is the producer's, not the pipeline's.
        var bodies = Enumerable.Range(0, count).Select(i => Event(sample, $"{prefix}-{i}", 1 + (i % 20), singleRecipient: false)).ToList();
        using var self = Process.GetCurrentProcess();
        var cpu = self.TotalProcessorTime;
        var total = Stopwatch.StartNew();
        foreach (var body in bodies)
        {
            var started = Stopwatch.GetTimestamp();
            Expect(await pipeline.DeliverAsync(body, null, null), expected);
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        var wall = total.Elapsed.TotalMilliseconds / count;
        self.Refresh();
        return (wall, (self.TotalProcessorTime - cpu).TotalMilliseconds / count);
    }

    /// <summary>Makes the due digests of one flush: one per pull request, one recipient each, so the count is exact.</summary>
    private static async Task FillAsync(DeliveryPipeline pipeline, JsonObject sample, int repeat, DigestBenchmarkOptions options)
    {
        var firstPullRequest = 100_000 + (repeat * options.Digests);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 8 };
        await Parallel.ForEachAsync(Enumerable.Range(0, options.Digests), parallel, async (digest, token) =>
        {
            for (var item = 0; item < options.ItemsPerDigest; item++)
            {
                var body = Event(sample, $"fill-{repeat}-{digest}-{item}", firstPullRequest + digest, singleRecipient: true);
                var result = Expect(await pipeline.DeliverAsync(body, null, null, token), DeliveryOutcome.Batched);
                if (result.Batched != 1)
                {
                    throw new InvalidOperationException($"a fill event should wait in one digest, not {result.Batched}");
                }
            }
        });
    }

    /// <summary>The sample event with its own id, on pull request <paramref name="pullRequest"/>; optionally for its first reviewer only.</summary>
    private static byte[] Event(JsonObject sample, string id, int pullRequest, bool singleRecipient)
    {
        var copy = sample.DeepClone().AsObject();
        copy["id"] = id;
        var pr = copy["pullRequest"]!.AsObject();
        pr["id"] = pullRequest;
        pr["url"] = $"https://git.example.com/projects/PAY/repos/ledger-service/pull-requests/{pullRequest}";
        if (singleRecipient)
        {
            pr["reviewers"] = new JsonArray(pr["reviewers"]![0]!.DeepClone());
            pr.Remove("participants");
        }

        return System.Text.Encoding.UTF8.GetBytes(copy.ToJsonString());
    }

    private static DeliveryResult Expect(DeliveryResult result, DeliveryOutcome outcome) =>
        result.Outcome == outcome ? result : throw new InvalidOperationException($"expected {outcome}, got {result}");

    private static ServiceProvider Services(AzuriteServer azurite, int smtpPort, BatchingMode mode)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Mail:Host"] = "127.0.0.1",
            ["Mail:Port"] = smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Mail:Tls"] = "None",
            ["Mail:From"] = "Code Review <noreply@example.com>",
            ["Notifications:BaseUrl"] = "https://git.example.com/",
            ["Notifications:Batching:Mode"] = mode.ToString(),
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
        };
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        // No log provider: the app's log lines would cost the same in both modes and are not what is measured.
        services.AddLogging();
        services.AddNotifier();
        return services.BuildServiceProvider();
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
