using System.Diagnostics;

namespace Notifier.Benchmarks;

/// <summary>Process start → GET / answered → first invocation answered, for notifier and the empty app, alternating.</summary>
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
    public static async Task<ColdStart> RunAsync(string notifier, string empty, int smtpPort, int runs, IReadOnlyList<HandlerVariant> variants)
    {
        var body = File.ReadAllBytes(Path.Combine(Paths.RepositoryRoot(), "samples", "events", "pullrequest.opened.json"));
        var notifierRuns = new List<(double, double)>();
        var emptyRuns = new List<(double, double)>();
        var variantRuns = variants.Select(v => (v, new List<(double Ready, double First)>())).ToList();
        // One unmeasured start of each warms the file cache, as a deployed app's files would be after the first start.
        await MeasureAsync(notifier, smtpPort, body, "warm-n", null);
        await MeasureAsync(empty, smtpPort, body, "warm-e", null);
        foreach (var variant in variants)
        {
            await MeasureAsync(variant.Executable ?? notifier, smtpPort, body, "warm-v", variant.Environment);
        }

        for (var i = 0; i < runs; i++)
        {
            notifierRuns.Add(await MeasureAsync(notifier, smtpPort, body, $"n{i}", null));
            emptyRuns.Add(await MeasureAsync(empty, smtpPort, body, $"e{i}", null));
            for (var v = 0; v < variantRuns.Count; v++)
            {
                variantRuns[v].Item2.Add(await MeasureAsync(variants[v].Executable ?? notifier, smtpPort, body, $"v{v}-{i}", variants[v].Environment));
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
