namespace Notifier.Benchmarks;

/// <summary>
/// Throughput A/B (<c>--compare</c>/<c>--compare-env</c> with <c>--ab-rounds R</c>): notifier and every variant run
/// side by side, each warmed up alone, then loaded in turn for <c>--seconds</c> per window, R rounds. On this
/// 2-core machine a single 30 s run moves ±10 % from one minute to the next, more than most changes are worth;
/// alternating short windows gives every build the same drift, so the ratio of medians is what to read. The
/// handler's CPU time per invocation in each window (from /proc) moves much less than the rate and shows
/// smaller differences.
/// </summary>
internal sealed record ThroughputComparison(int Concurrency, TimeSpan WindowLength, IReadOnlyList<ThroughputComparison.Entry> Entries)
{
    public static async Task<ThroughputComparison> RunAsync(
        string notifier, IReadOnlyList<HandlerVariant> variants, SmtpSink sink, int concurrency, TimeSpan warmUp, TimeSpan window, int rounds)
    {
        var body = File.ReadAllBytes(Path.Combine(Paths.RepositoryRoot(), "samples", "events", "pullrequest.approved.json"));
        var builds = new List<(string Label, string Executable, IReadOnlyDictionary<string, string>? Environment)> { ("notifier", notifier, null) };
        builds.AddRange(variants.Select(v => (v.Label, v.Executable ?? notifier, (IReadOnlyDictionary<string, string>?)v.Environment)));
        var handlers = new List<Handler>();
        try
        {
            foreach (var build in builds)
            {
                var handler = Handler.Start(build.Executable, sink.Port, environment: build.Environment);
                handlers.Add(handler);
                await handler.WaitUntilServingAsync();
                await Throughput.WarmUpAsync(handler, body, concurrency, warmUp);
            }

            var windows = builds.Select(_ => new List<Window>()).ToList();
            for (var round = 0; round < rounds; round++)
            {
                // Each round starts with a different build, so none always follows the same neighbour.
                for (var k = 0; k < handlers.Count; k++)
                {
                    var i = (k + round) % handlers.Count;
                    var (cpu, sinkCpu) = (handlers[i].CpuTime(), sink.CpuTime());
                    var load = await Throughput.LoadAsync(handlers[i], body, concurrency, window, $"ab{round}-");
                    windows[i].Add(new Window(load, handlers[i].CpuTime() - cpu, sink.CpuTime() - sinkCpu));
                }
            }

            var entries = builds.Select((b, i) => new Entry(b.Label, windows[i], handlers[i].PeakRssMegabytes())).ToList();
            return new ThroughputComparison(concurrency, window, entries);
        }
        finally
        {
            foreach (var handler in handlers)
            {
                await handler.DisposeAsync();
            }
        }
    }

    public void Print()
    {
        Console.WriteLine($"throughput A/B: {Concurrency} concurrent, windows of {WindowLength.TotalSeconds:F0} s taken in turn ({Entries[0].Windows.Count} per build)");
        var reference = Entries[0].MedianRate;
        foreach (var entry in Entries)
        {
            var latencies = entry.Windows.SelectMany(w => w.Load.Latencies).Order().ToArray();
            Console.WriteLine($"  {entry.Label}");
            Console.WriteLine($"    invocations/s, median window {entry.MedianRate,8:F0}   ratio {entry.MedianRate / reference:F3}   windows: {string.Join(" ", entry.Windows.Select(w => w.Rate.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))}");
            Console.WriteLine($"    handler CPU per invocation   {entry.MedianCpu,8:F0} µs   ratio {entry.MedianCpu / Entries[0].MedianCpu:F3}   windows: {string.Join(" ", entry.Windows.Select(w => w.CpuMicroseconds.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))}");
            Console.WriteLine($"    smtp-sink CPU per invocation {entry.MedianSinkCpu,8:F0} µs   ratio {entry.MedianSinkCpu / Entries[0].MedianSinkCpu:F3}");
            Console.WriteLine($"    latency p50 / p99 (ms)       {Stats.Percentile(latencies, 50),8:F2} / {Stats.Percentile(latencies, 99):F2}   peak RSS {entry.PeakRssMegabytes:F0} MB");
        }
    }

    internal sealed record Entry(string Label, IReadOnlyList<Window> Windows, double PeakRssMegabytes)
    {
        public double MedianRate => Stats.Median(Windows.Select(w => w.Rate));

        public double MedianCpu => Stats.Median(Windows.Select(w => w.CpuMicroseconds));

        public double MedianSinkCpu => Stats.Median(Windows.Select(w => w.SinkCpuMicroseconds));
    }

    /// <summary>One window of load and the CPU time the handler used in it.</summary>
    internal sealed record Window(Throughput.Load Load, TimeSpan Cpu, TimeSpan SinkCpu)
    {
        public double Rate => Load.Rate;

        /// <summary>Handler CPU per invocation: steadier than the rate, which moves with the other processes' scheduling.</summary>
        public double CpuMicroseconds => Cpu.TotalMicroseconds / Load.Latencies.Count;

        public double SinkCpuMicroseconds => SinkCpu.TotalMicroseconds / Load.Latencies.Count;
    }
}
