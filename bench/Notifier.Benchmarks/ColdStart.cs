using System.Diagnostics;
using System.Globalization;

namespace Notifier.Benchmarks;

/// <summary>Process start → GET / answered → first invocation answered, for notifier and the empty app, alternating (every other round reversed).</summary>
/// <remarks>
/// Variants (<c>--compare PATH</c>: another build of notifier; <c>--compare-env NAME=VALUE</c>: this build with one more
/// environment variable, e.g. a <c>DOTNET_</c> runtime knob) are started in the same alternation, so an A/B on this
/// shared machine sees the same load.
/// </remarks>
internal sealed record ColdStart(
    IReadOnlyList<(double Ready, double First)> Notifier,
    IReadOnlyList<(double Ready, double First)> Empty,
    IReadOnlyList<(HandlerVariant Variant, List<(double Ready, double First)> Runs)> Variants)
{
    private const int WarmUpRounds = 3;

    public static async Task<ColdStart> RunAsync(string notifier, string empty, int smtpPort, int runs, IReadOnlyList<HandlerVariant> variants)
    {
        var body = File.ReadAllBytes(Path.Combine(Paths.RepositoryRoot(), "samples", "events", "pullrequest.opened.json"));
        var notifierRuns = new List<(double, double)>();
        var emptyRuns = new List<(double, double)>();
        var variantRuns = variants.Select(v => (v, new List<(double Ready, double First)>())).ToList();
        // Unmeasured starts of each first: the first warms the file cache, as a deployed app's files would be after
        // the first start; the others let the machine settle after the build that came before (the first
        // measured rounds used to be the slowest by 100-200 ms, notifier's more than the empty handler's).
        for (var w = 0; w < WarmUpRounds; w++)
        {
            await MeasureAsync(notifier, smtpPort, body, $"warm-n{w}", null);
            await MeasureAsync(empty, smtpPort, body, $"warm-e{w}", null);
            foreach (var variant in variants)
            {
                await MeasureAsync(variant.Executable ?? notifier, smtpPort, body, $"warm-v{w}", variant.Environment);
            }
        }

        for (var i = 0; i < runs; i++)
        {
            // Every other round in reverse order (notifier, empty, variants; then variants, empty, notifier), so
            // that no build always starts right after the same neighbour or always first in a round.
            var round = new List<Func<Task>>
            {
                async () => notifierRuns.Add(await MeasureAsync(notifier, smtpPort, body, $"n{i}", null)),
                async () => emptyRuns.Add(await MeasureAsync(empty, smtpPort, body, $"e{i}", null)),
            };
            for (var v = 0; v < variantRuns.Count; v++)
            {
                var index = v;
                round.Add(async () => variantRuns[index].Item2.Add(await MeasureAsync(variants[index].Executable ?? notifier, smtpPort, body, $"v{index}-{i}", variants[index].Environment)));
            }

            if (i % 2 == 1)
            {
                round.Reverse();
            }

            foreach (var start in round)
            {
                await start();
            }
        }

        return new ColdStart(notifierRuns, emptyRuns, variantRuns);
    }

    private static async Task<(double Ready, double First)> MeasureAsync(string executable, int smtpPort, byte[] body, string id, IReadOnlyDictionary<string, string>? environment)
    {
        var clock = Stopwatch.StartNew();
        await using var handler = Handler.Start(executable, smtpPort, environment: environment);
        await handler.WaitUntilServingAsync();
        var ready = clock.Elapsed.TotalMilliseconds;
        await handler.InvokeAsync(Handler.Invocation(body, "cold-" + id));
        return (ready, clock.Elapsed.TotalMilliseconds);
    }

    public void Print()
    {
        double nReady = Stats.Median(Notifier.Select(r => r.Ready)), nFirst = Stats.Median(Notifier.Select(r => r.First));
        double eReady = Stats.Median(Empty.Select(r => r.Ready)), eFirst = Stats.Median(Empty.Select(r => r.First));
        Console.WriteLine($"cold start, median of {Notifier.Count} runs (ms)   GET / answered   first invocation answered");
        Console.WriteLine($"  notifier (delivers via SMTP)      {nReady,10:F0}   {nFirst,10:F0}");
        Console.WriteLine($"  empty ASP.NET Core handler        {eReady,10:F0}   {eFirst,10:F0}");
        Console.WriteLine($"  ratio notifier / empty            {nReady / eReady,10:F2}   {nFirst / eFirst,10:F2}   (target <= 1.30)");
        // The spread, in run order: one slow start in ten moves a median of ten less than it moves a mean, but
        // this machine's hour-to-hour drift shows here too.
        Console.WriteLine($"  first invocation, each run (ms): notifier {string.Join(" ", Notifier.Select(r => r.First.ToString("F0", CultureInfo.InvariantCulture)))}");
        Console.WriteLine($"                                   empty    {string.Join(" ", Empty.Select(r => r.First.ToString("F0", CultureInfo.InvariantCulture)))}");
        foreach (var (variant, runs) in Variants)
        {
            double vReady = Stats.Median(runs.Select(r => r.Ready)), vFirst = Stats.Median(runs.Select(r => r.First));
            Console.WriteLine($"  {variant.Label}");
            Console.WriteLine($"    median (ms)                     {vReady,10:F0}   {vFirst,10:F0}");
            Console.WriteLine($"    ratio to empty                  {vReady / eReady,10:F2}   {vFirst / eFirst,10:F2}");
            // Paired: each variant start ran right after a notifier start, so the per-pair difference cancels
            // most of the drift that moves all starts by tens of milliseconds from one minute to the next.
            var ready = Notifier.Zip(runs, (n, v) => v.Ready - n.Ready).ToList();
            var first = Notifier.Zip(runs, (n, v) => v.First - n.First).ToList();
            Console.WriteLine($"    minus notifier, median of pairs {Stats.Median(ready),10:+0;-0;0}   {Stats.Median(first),10:+0;-0;0}   (faster in {first.Count(d => d < 0)} of {first.Count} pairs)");
        }
    }
}
