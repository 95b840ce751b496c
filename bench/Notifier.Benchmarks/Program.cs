// The app benchmarks (bench/README-app.md), run against published self-contained ReadyToRun binaries:
//   cold start   process start → GET / answered → first invocation delivered, notifier vs an empty
//                ASP.NET Core handler published the same way, alternating, in the same run;
//   throughput   16 concurrent invocations (the host's maxConcurrentCalls) for N seconds to Postfix's
//                smtp-sink, after --warmup-seconds of the same load: invocations/s (and per 5 s), p50/p99
//                latency, peak RSS.
//   hostile      (--hostile ROUNDS) 16 concurrent invocations mixing normal events with 2.5 MB hostile
//                bodies: peak RSS of the handler (HostileLoad.cs); --executable PATH measures another build.
//   digests      (--digests N [--items 3 --events 200 --repeats 5 --flush-repeats 3]) in process against
//                Azurite and smtp-sink: an event sent at once vs batched, and flushing N due digests
//                (DigestBenchmark.cs); nothing is published.
// Usage: dotnet run -c Release --project bench/Notifier.Benchmarks -- [--runs 10] [--seconds 30 (0 skips throughput)] [--warmup-seconds 10] [--concurrency 16] [--no-publish]
//        cold-start A/B in the same alternation: [--compare PATH/notifier]... [--compare-env DOTNET_NAME=VALUE]...
//        throughput A/B instead (ThroughputComparison.cs): the same with --ab-rounds R (windows of --seconds, taken in turn)
using Notifier.Benchmarks;

if (DigestBenchmarkOptions.Parse(args) is { } digestOptions)
{
    (await DigestBenchmark.RunAsync(digestOptions)).Print();
    return;
}

var options = BenchOptions.Parse(args);
var root = Paths.RepositoryRoot();
if (Array.IndexOf(args, "--hostile") is var hostileAt and >= 0)
{
    var rounds = hostileAt + 1 < args.Length && int.TryParse(args[hostileAt + 1], out var n) ? n : 20;
    var executableAt = Array.IndexOf(args, "--executable");
    var handler = executableAt >= 0 ? Path.GetFullPath(args[executableAt + 1]) : await Publisher.PublishNotifierAsync(root, options.Publish);
    await using var hostileSink = await SmtpSink.StartAsync();
    (await HostileLoad.RunAsync(handler, hostileSink.Port, options.Concurrency, rounds)).Print();
    return;
}

var notifier = await Publisher.PublishNotifierAsync(root, options.Publish);
var empty = await Publisher.PublishEmptyAppAsync(root, options.Publish);
await using var sink = await SmtpSink.StartAsync();

Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
var variants = HandlerVariant.Parse(args);
if (BenchOptions.Int(args, "--ab-rounds", 0) is var abRounds and > 0)
{
    var comparison = await ThroughputComparison.RunAsync(
        notifier, variants, sink, options.Concurrency, TimeSpan.FromSeconds(options.WarmUpSeconds), TimeSpan.FromSeconds(options.Seconds), abRounds);
    comparison.Print();
    return;
}

var cold = await ColdStart.RunAsync(notifier, empty, sink.Port, options.Runs, variants);
cold.Print();
if (options.Seconds > 0)
{
    var throughput = await Throughput.RunAsync(notifier, sink.Port, options.Concurrency, TimeSpan.FromSeconds(options.WarmUpSeconds), TimeSpan.FromSeconds(options.Seconds));
    throughput.Print();
}
