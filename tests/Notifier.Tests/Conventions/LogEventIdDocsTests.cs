using System.Globalization;
using System.Text.RegularExpressions;
using Notifier.Tests.Support;

namespace Notifier.Tests.Conventions;

/// <summary>
/// Every <c>[LoggerMessage(EventId = N …)]</c> in src/ is in the docs' lists of log event ids (docs/functions-app.md,
/// "Observability"; docs/operations.md, "Log event ids"), so a new log line without a word in the docs fails the
/// build. A range such as <c>3000–3002</c> names each id in it.
/// </summary>
public sealed partial class LogEventIdDocsTests
{
    /// <summary>The sections that list event ids: (file under docs/, heading of the section).</summary>
    private static readonly (string File, string Heading)[] Lists =
    [
        ("functions-app.md", "## Observability"),
        ("operations.md", "## Log event ids"),
    ];

    /// <summary>Wider ranges are an assembly's whole range (docs/architecture.md), not a list of ids.</summary>
    private const int WidestListedRange = 20;

    [Fact]
    public void EveryLogEventIdInTheSourceIsInTheDocsLists()
    {
        var documented = DocumentedIds();

        var missing = SourceIds()
            .Where(id => !documented.Contains(id.Id))
            .Select(id => $"event id {id.Id} ({id.File}) is in no docs list: {string.Join(", ", Lists.Select(l => $"docs/{l.File} \"{l.Heading}\""))}")
            .ToList();

        Assert.True(missing.Count == 0, string.Join(Environment.NewLine, missing));
    }

    [Fact]
    public void TheScansFindTheIdsOfEveryAssemblyAndTheDocsRanges()
    {
        // Guards the test above against passing on an empty scan of either side.
        var source = SourceIds().Select(id => id.Id).ToHashSet();
        Assert.Contains(1000, source);
        Assert.Contains(2000, source);
        Assert.Contains(3000, source);
        Assert.True(source.Count > 50, $"only {source.Count} event ids found in src/");

        Assert.Contains(1000, DocumentedIds());
    }

    [Fact]
    public void ARangeNamesEachIdInItButAnAssemblysWholeRangeNamesNone()
    {
        var ids = IdsListedIn("3000–3002 Key Vault, 3014/3015 test email, 2400-2401; the app's range is 3000–3999");

        Assert.Equal([2400, 2401, 3000, 3001, 3002, 3014, 3015], ids.Order());
    }

    private static IEnumerable<(int Id, string File)> SourceIds() =>
        from file in Directory.EnumerateFiles(Repo.Path("src"), "*.cs", SearchOption.AllDirectories)
        let relative = Path.GetRelativePath(Repo.Root, file)
        where !relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj")
        from Match match in LoggerMessageId().Matches(File.ReadAllText(file))
        select (int.Parse(match.Groups["id"].Value, CultureInfo.InvariantCulture), relative);

    private static HashSet<int> DocumentedIds()
    {
        var ids = new HashSet<int>();
        foreach (var (file, heading) in Lists)
        {
            var text = File.ReadAllText(Repo.Path("docs", file));
            var start = text.IndexOf("\n" + heading + "\n", StringComparison.Ordinal);
            Assert.True(start >= 0, $"docs/{file} has no section \"{heading}\"");
            var end = text.IndexOf("\n## ", start + heading.Length + 1, StringComparison.Ordinal);
            var section = end < 0 ? text[start..] : text[start..end];

            ids.UnionWith(IdsListedIn(section));
        }

        return ids;
    }

    private static HashSet<int> IdsListedIn(string text)
    {
        var ids = new HashSet<int>();
        foreach (Match match in ListedId().Matches(text))
        {
            var first = int.Parse(match.Groups["first"].Value, CultureInfo.InvariantCulture);
            var last = match.Groups["last"].Success ? int.Parse(match.Groups["last"].Value, CultureInfo.InvariantCulture) : first;
            if (last - first > WidestListedRange)
            {
                continue;
            }

            for (var id = first; id <= Math.Max(first, last); id++)
            {
                ids.Add(id);
            }
        }

        return ids;
    }

    [GeneratedRegex(@"\[LoggerMessage\(\s*EventId\s*=\s*(?<id>\d+)")]
    private static partial Regex LoggerMessageId();

    [GeneratedRegex(@"\b(?<first>\d{4})\b(?:\s*[–-]\s*(?<last>\d{4})\b)?")]
    private static partial Regex ListedId();
}
