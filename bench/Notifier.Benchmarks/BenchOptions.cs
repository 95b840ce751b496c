using System.Globalization;

namespace Notifier.Benchmarks;

/// <summary>Command-line options of the harness.</summary>
internal sealed record BenchOptions(int Runs, int Seconds, int WarmUpSeconds, int Concurrency, bool Publish)
{
    public static BenchOptions Parse(string[] args) =>
        new(Int(args, "--runs", 10), Int(args, "--seconds", 30), Int(args, "--warmup-seconds", 10), Int(args, "--concurrency", 16), !args.Contains("--no-publish"));

    /// <summary>The number after <paramref name="name"/>, or <paramref name="fallback"/> when the option is absent.</summary>
    public static int Int(string[] args, string name, int fallback)
    {
        ArgumentNullException.ThrowIfNull(args);
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
