namespace Notifier.Benchmarks;

/// <summary>
/// Another notifier start measured beside the default one: another build (<c>--compare PATH</c>) or this build
/// with extra environment variables (<c>--compare-env NAME=VALUE</c>).
/// </summary>
internal sealed record ColdStartVariant(string Label, string? Executable, IReadOnlyDictionary<string, string> Environment)
{
    public static List<ColdStartVariant> Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var variants = new List<ColdStartVariant>();
        for (var i = 0; i + 1 < args.Length; i++)
        {
            if (args[i] == "--compare")
            {
                var path = Path.GetFullPath(args[i + 1]);
                variants.Add(new ColdStartVariant($"notifier at {path}", path, new Dictionary<string, string>()));
            }
            else if (args[i] == "--compare-env" && args[i + 1].Split('=', 2) is [var name, var value])
            {
                variants.Add(new ColdStartVariant($"notifier with {name}={value}", null, new Dictionary<string, string> { [name] = value }));
            }
        }

        return variants;
    }
}
