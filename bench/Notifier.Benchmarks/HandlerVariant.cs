namespace Notifier.Benchmarks;

/// <summary>
/// Another notifier measured beside the default one, in the cold-start alternation or the throughput A/B: another
/// build (<c>--compare PATH</c>) or this build with extra environment variables (<c>--compare-env NAME=VALUE</c>).
/// </summary>
internal sealed record HandlerVariant(string Label, string? Executable, IReadOnlyDictionary<string, string> Environment)
{
    public static List<HandlerVariant> Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var variants = new List<HandlerVariant>();
        for (var i = 0; i + 1 < args.Length; i++)
        {
            if (args[i] == "--compare")
            {
                var path = Path.GetFullPath(args[i + 1]);
                variants.Add(new HandlerVariant($"notifier at {path}", path, new Dictionary<string, string>()));
            }
            else if (args[i] == "--compare-env" && args[i + 1].Split('=', 2) is [var name, var value])
            {
                variants.Add(new HandlerVariant($"notifier with {name}={value}", null, new Dictionary<string, string> { [name] = value }));
            }
        }

        return variants;
    }
}
