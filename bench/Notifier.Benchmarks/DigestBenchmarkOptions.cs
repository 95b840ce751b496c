namespace Notifier.Benchmarks;

/// <summary>
/// The digest benchmark's sizes: <c>--digests N</c> (due digests per flush, and what selects this mode),
/// <c>--items</c> per digest, <c>--events</c> per repeat of the immediate/batched comparison, <c>--repeats</c>
/// of it, <c>--flush-repeats</c>.
/// </summary>
internal sealed record DigestBenchmarkOptions(int Digests, int ItemsPerDigest, int Events, int Repeats, int FlushRepeats)
{
    public static DigestBenchmarkOptions? Parse(string[] args) =>
        Array.IndexOf(args, "--digests") < 0
            ? null
            : new DigestBenchmarkOptions(
                BenchOptions.Int(args, "--digests", 1000),
                BenchOptions.Int(args, "--items", 3),
                BenchOptions.Int(args, "--events", 200),
                BenchOptions.Int(args, "--repeats", 5),
                BenchOptions.Int(args, "--flush-repeats", 3));
}
