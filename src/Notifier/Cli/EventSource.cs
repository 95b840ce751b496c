using System.Text;
using System.Text.Json;

namespace Notifier.Cli;

/// <summary>
/// The events named on the command line: files, folders (every *.json and *.jsonl inside, in name order) and
/// <c>-</c> for standard input. A <c>.jsonl</c> file and standard input hold JSON Lines (one event per
/// non-empty line); when their lines are not each a JSON value but the whole text is a sequence of JSON values
/// (a pretty-printed event, or several), each value is one event.
/// </summary>
internal static class EventSource
{
    /// <summary>The file names a folder is searched for.</summary>
    public const string FolderPatterns = "*.json and *.jsonl";

    /// <summary>One event body, where it came from (for messages) and its place in the input (for ordering).</summary>
    public sealed record Item(int Index, string Origin, ReadOnlyMemory<byte> Body);

    /// <summary>Checks the paths before anything runs; null when they all exist.</summary>
    public static string? FindMissing(IEnumerable<string> paths) =>
        paths.FirstOrDefault(p => p != "-" && !File.Exists(p) && !Directory.Exists(p)) is { } missing
            ? $"'{missing}' is neither a file nor a folder"
            : null;

    public static IEnumerable<string> ExpandFiles(IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var files = Directory.EnumerateFiles(path, "*.json", SearchOption.AllDirectories)
                    .Concat(Directory.EnumerateFiles(path, "*.jsonl", SearchOption.AllDirectories));
                foreach (var file in files.Order(StringComparer.Ordinal))
                {
                    yield return file;
                }
            }
            else
            {
                yield return path;
            }
        }
    }

    /// <summary>Every event, in input order (files in the order given, lines and values in file order).</summary>
    public static async Task<List<Item>> ReadAllAsync(IEnumerable<string> files, TextReader stdin, CancellationToken cancellationToken)
    {
        var items = new List<Item>();
        foreach (var file in files)
        {
            if (file == "-")
            {
                AddValues(items, "stdin", Encoding.UTF8.GetBytes(await stdin.ReadToEndAsync(cancellationToken)));
            }
            else if (file.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase))
            {
                AddValues(items, file, await File.ReadAllBytesAsync(file, cancellationToken));
            }
            else
            {
                items.Add(new Item(items.Count, file, await File.ReadAllBytesAsync(file, cancellationToken)));
            }
        }

        return items;
    }

    /// <summary>
    /// JSON Lines when every non-empty line is a JSON value (or when the text is not a sequence of JSON values
    /// either, so each bad line is rejected on its own with its line number); otherwise one event per value.
    /// </summary>
    private static void AddValues(List<Item> items, string origin, byte[] text)
    {
        var lines = Lines(text);
        var values = lines.TrueForAll(line => IsOneValue(text.AsMemory(line.Start, line.Length)))
            ? lines
            : Values(text) ?? lines;
        foreach (var (number, start, length) in values)
        {
            items.Add(new Item(items.Count, $"{origin}:{number}", text.AsMemory(start, length)));
        }
    }

    private static List<(int Number, int Start, int Length)> Lines(byte[] text)
    {
        var lines = new List<(int, int, int)>();
        var start = 0;
        for (var number = 1; start <= text.Length; number++)
        {
            var end = Array.IndexOf(text, (byte)'\n', start);
            var stop = end < 0 ? text.Length : end;
            var line = text.AsSpan(start, stop - start);
            if (!line.Trim(" \t\r"u8).IsEmpty)
            {
                lines.Add((number, start, stop - start));
            }

            if (end < 0)
            {
                break;
            }

            start = end + 1;
        }

        return lines;
    }

    private static bool IsOneValue(ReadOnlyMemory<byte> line)
    {
        try
        {
            var reader = new Utf8JsonReader(line.Span);
            return reader.Read() && reader.TrySkip() && !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The JSON values of a text that holds one after another; null when it does not.</summary>
    private static List<(int Number, int Start, int Length)>? Values(byte[] text)
    {
        var values = new List<(int, int, int)>();
        try
        {
            var reader = new Utf8JsonReader(text, new JsonReaderOptions { AllowMultipleValues = true });
            while (reader.Read())
            {
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                var number = 1 + text.AsSpan(0, start).Count((byte)'\n');
                values.Add((number, start, (int)reader.BytesConsumed - start));
            }
        }
        catch (JsonException)
        {
            return null;
        }

        return values;
    }
}
