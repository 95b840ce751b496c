using System.Diagnostics;

namespace Notifier.Benchmarks;

/// <summary>N concurrent callers posting invocations for a fixed time, each event delivered to smtp-sink.</summary>
internal sealed record Throughput(int Concurrency, TimeSpan Duration, int Invocations, double[] SortedLatencies, double PeakRssMegabytes)
{
    public static async Task<Throughput> RunAsync(string notifier, int smtpPort, int concurrency, TimeSpan duration)
    {
        var body = File.ReadAllBytes(Path.Combine(Paths.RepositoryRoot(), "samples", "events", "pullrequest.approved.json"));
        await using var handler = Handler.Start(notifier, smtpPort);
        await handler.WaitUntilServingAsync();
        for (var i = 0; i < 200; i++)
        {
            await handler.InvokeAsync(Handler.Invocation(body, $"warm-{i}"));
        }

        var latencies = new List<double>[concurrency];
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var mine = latencies[worker] = new List<double>(100_000);
            var n = 0;
            while (clock.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                await handler.InvokeAsync(Handler.Invocation(body, $"w{worker}-{n++}"));
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }).ToList();
        await Task.WhenAll(workers);
        var elapsed = clock.Elapsed;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new Throughput(concurrency, elapsed, all.Length, all, handler.PeakRssMegabytes());
    }

    public void Print()
    {
        var rate = Invocations / Duration.TotalSeconds;
        Console.WriteLine($"throughput: {Concurrency} concurrent invocations for {Duration.TotalSeconds:F0} s to smtp-sink (pullrequest.approved)");
        Console.WriteLine($"  invocations/s     {rate,10:F0}   (target >= 2000)");
        Console.WriteLine($"  latency p50 (ms)  {Stats.Percentile(SortedLatencies, 50),10:F2}");
        Console.WriteLine($"  latency p99 (ms)  {Stats.Percentile(SortedLatencies, 99),10:F2}   (target <= 20)");
        Console.WriteLine($"  peak RSS (MB)     {PeakRssMegabytes,10:F0}");
        Console.WriteLine($"  invocations       {Invocations,10}");
    }
}
