using System.Diagnostics;

namespace Notifier.Benchmarks;

/// <summary>N concurrent callers posting invocations for a fixed time, each event delivered to smtp-sink.</summary>
internal sealed record Throughput(
    int Concurrency, TimeSpan WarmUp, double WarmUpRate, TimeSpan Duration, int Invocations, double[] SortedLatencies, double[] IntervalRates, double PeakRssMegabytes)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    public static async Task<Throughput> RunAsync(string notifier, int smtpPort, int concurrency, TimeSpan warmUp, TimeSpan duration)
    {
        var body = File.ReadAllBytes(Path.Combine(Paths.RepositoryRoot(), "samples", "events", "pullrequest.approved.json"));
        await using var handler = Handler.Start(notifier, smtpPort);
        await handler.WaitUntilServingAsync();
        var warm = await WarmUpAsync(handler, body, concurrency, warmUp);
        var measured = await LoadAsync(handler, body, concurrency, duration, "w");
        var all = measured.Latencies.Order().ToArray();
        var intervals = measured.Completions.GroupBy(t => (int)(t / Interval.TotalSeconds))
            .Where(g => (g.Key + 1) * Interval <= measured.Elapsed)
            .OrderBy(g => g.Key).Select(g => g.Count() / Interval.TotalSeconds).ToArray();
        return new Throughput(concurrency, warm.Elapsed, warm.Rate, measured.Elapsed, all.Length, all, intervals, handler.PeakRssMegabytes());
    }

    public void Print()
    {
        var rate = Invocations / Duration.TotalSeconds;
        Console.WriteLine($"throughput: {Concurrency} concurrent invocations for {Duration.TotalSeconds:F0} s to smtp-sink (pullrequest.approved), after {WarmUp.TotalSeconds:F0} s of the same load ({WarmUpRate:F0}/s)");
        Console.WriteLine($"  invocations/s     {rate,10:F0}   (target >= 3000)");
        Console.WriteLine($"  per {Interval.TotalSeconds:F0} s          {string.Join(" ", IntervalRates.Select(r => r.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))}");
        Console.WriteLine($"  latency p50 (ms)  {Stats.Percentile(SortedLatencies, 50),10:F2}");
        Console.WriteLine($"  latency p99 (ms)  {Stats.Percentile(SortedLatencies, 99),10:F2}   (target <= 15)");
        Console.WriteLine($"  peak RSS (MB)     {PeakRssMegabytes,10:F0}   (target <= 150)");
        Console.WriteLine($"  invocations       {Invocations,10}");
    }

    /// <summary>
    /// 200 invocations one at a time, then <paramref name="duration"/> of the measured load: the runtime moves hot
    /// methods from ReadyToRun code to optimised (tier-1) code over the first tens of seconds under load, and
    /// the rate climbs until it has.
    /// </summary>
    public static async Task<Load> WarmUpAsync(Handler handler, byte[] body, int concurrency, TimeSpan duration)
    {
        for (var i = 0; i < 200; i++)
        {
            await handler.InvokeAsync(Handler.Invocation(body, $"warm-{i}"));
        }

        return await LoadAsync(handler, body, concurrency, duration, "warm");
    }

    /// <summary><paramref name="concurrency"/> callers posting invocations back to back for <paramref name="duration"/>.</summary>
    public static async Task<Load> LoadAsync(
        Handler handler, byte[] body, int concurrency, TimeSpan duration, string prefix)
    {
        var latencies = new List<double>[concurrency];
        var completions = new List<double>[concurrency];
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var mine = latencies[worker] = new List<double>(100_000);
            var done = completions[worker] = new List<double>(100_000);
            var n = 0;
            while (clock.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                await handler.InvokeAsync(Handler.Invocation(body, $"{prefix}{worker}-{n++}"));
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                done.Add(clock.Elapsed.TotalSeconds);
            }
        }).ToList();
        await Task.WhenAll(workers);
        return new Load([.. latencies.SelectMany(l => l)], [.. completions.SelectMany(c => c)], clock.Elapsed);
    }

    /// <summary>Round-trip times (ms) and completion times (s from the start) of one load.</summary>
    internal sealed record Load(List<double> Latencies, List<double> Completions, TimeSpan Elapsed)
    {
        public double Rate => Latencies.Count / Elapsed.TotalSeconds;
    }
}
