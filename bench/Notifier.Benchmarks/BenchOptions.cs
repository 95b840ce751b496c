using System.Globalization;

namespace Notifier.Benchmarks;

/// <summary>Command-line options of the harness.</summary>
internal sealed record BenchOptions(int Runs, int Seconds, int Concurrency, bool Publish)
{
    public static BenchOptions Parse(string[] args)
    {
        int Value(string name, int fallback)
        {
            var index = Array.IndexOf(args, name);
            return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
        }

        return new BenchOptions(Value("--runs", 10), Value("--seconds", 30), Value("--concurrency", 16), !args.Contains("--no-publish"));
    }
}
