using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace Notifier.Benchmarks;

/// <summary>
/// Memory under hostile input: 16 concurrent invocations (the host's maxConcurrentCalls) for a number of
/// rounds, each caller cycling through normal events and hostile bodies: 2.5 MB of quotes, 2.5 MB of
/// non-ASCII text, 2.5 MB of JSON nested 200,000 deep plus padding, 1.25 MB of backslashes, a 2.1 MB string
/// value (UTF-8) inside a valid event. Reports the handler's peak resident set (VmHWM from /proc/PID/status) and that every
/// invocation was answered with one outcome.
/// </summary>
internal sealed record HostileLoad(int Concurrency, int Invocations, int Delivered, int Rejected, int Refused, TimeSpan Duration, double PeakRssMegabytes)
{
    private static readonly string[] NormalSamples = ["pullrequest.opened", "pullrequest.comment.added", "repository.pushed", "pullrequest.approved"];

    public static async Task<HostileLoad> RunAsync(string notifier, int smtpPort, int concurrency, int rounds)
    {
        var normal = NormalSamples
            .Select(n => File.ReadAllBytes(Path.Combine(Paths.RepositoryRoot(), "samples", "events", n + ".json")))
            .ToArray();
        const int big = 2_500_000;
        byte[][] hostile =
        [
            Encoding.UTF8.GetBytes(new string('"', big)),
            Encoding.UTF8.GetBytes(new string('é', big / 2)),
            Encoding.UTF8.GetBytes(new string('[', 200_000) + new string(' ', big - 200_000)),
            Encoding.UTF8.GetBytes(new string('\\', big / 2)),
            Encoding.UTF8.GetBytes("{\"type\": \"pullrequest.opened\", \"title\": \"" + new string('日', 700_000) + "\"}"),
        ];
        var mix = new List<byte[]>();
        for (var i = 0; i < hostile.Length; i++)
        {
            mix.Add(hostile[i]);
            mix.Add(normal[i % normal.Length]);
        }

        await using var handler = Handler.Start(notifier, smtpPort);
        await handler.WaitUntilServingAsync();
        int delivered = 0, rejected = 0, refused = 0, invocations = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            for (var round = 0; round < rounds; round++)
            {
                var body = mix[(worker + round) % mix.Count];
                var invocation = Handler.Invocation(body, $"w{worker}-r{round}");
                using var content = new StringContent(invocation, Encoding.UTF8, "application/json");
                using var response = await handler.Client.PostAsync("/PullRequestEvents", content);
                var text = await response.Content.ReadAsStringAsync();
                Interlocked.Increment(ref invocations);
                if (response.StatusCode == HttpStatusCode.RequestEntityTooLarge)
                {
                    Interlocked.Increment(ref refused);
                }
                else if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"invocation failed: {(int)response.StatusCode} {text[..Math.Min(300, text.Length)]}");
                }
                else if (text.Contains("\"outcome\":\"delivered\"", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref delivered);
                }
                else if (text.Contains("\"outcome\":\"rejected\"", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref rejected);
                }
                else
                {
                    throw new InvalidOperationException($"unexpected answer: {text[..Math.Min(300, text.Length)]}");
                }
            }
        }));
        return new HostileLoad(concurrency, invocations, delivered, rejected, refused, clock.Elapsed, handler.PeakRssMegabytes());
    }

    public void Print()
    {
        Console.WriteLine($"hostile load: {Concurrency} concurrent invocations, normal events mixed with 2.5 MB hostile bodies");
        Console.WriteLine($"  peak RSS (MB)     {PeakRssMegabytes.ToString("F0", CultureInfo.InvariantCulture),10}   (target <= 256)");
        Console.WriteLine($"  invocations       {Invocations,10}   delivered {Delivered}, rejected {Rejected}, refused (413) {Refused}");
        Console.WriteLine($"  duration (s)      {Duration.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture),10}");
    }
}
