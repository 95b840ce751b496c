using System.Diagnostics;

namespace Notifier.Benchmarks;

/// <summary>Process start → GET / answered → first invocation answered, for notifier and the empty app, alternating.</summary>
internal sealed record ColdStart(IReadOnlyList<(double Ready, double First)> Notifier, IReadOnlyList<(double Ready, double First)> Empty)
{
    public static async Task<ColdStart> RunAsync(string notifier, string empty, int smtpPort, int runs)
    {
        var body = File.ReadAllBytes(Path.Combine(Paths.RepositoryRoot(), "samples", "events", "pullrequest.opened.json"));
        var notifierRuns = new List<(double, double)>();
        var emptyRuns = new List<(double, double)>();
        // One unmeasured start of each warms the file cache, as a deployed app's files would be after the first start.
        await MeasureAsync(notifier, smtpPort, body, "warm-n");
        await MeasureAsync(empty, smtpPort, body, "warm-e");
        for (var i = 0; i < runs; i++)
        {
            notifierRuns.Add(await MeasureAsync(notifier, smtpPort, body, $"n{i}"));
            emptyRuns.Add(await MeasureAsync(empty, smtpPort, body, $"e{i}"));
        }

        return new ColdStart(notifierRuns, emptyRuns);
    }

    private static async Task<(double Ready, double First)> MeasureAsync(string executable, int smtpPort, byte[] body, string id)
    {
        var clock = Stopwatch.StartNew();
        await using var handler = Handler.Start(executable, smtpPort);
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
    }
}
