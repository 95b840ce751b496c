using System.Runtime.CompilerServices;
using System.Text;

namespace Notifier.Cli;

/// <summary>
/// The events named on the command line: files, folders (every *.json inside, in name order) and <c>-</c>
/// for JSON Lines on standard input (one event per non-empty line).
/// </summary>
internal static class EventSource
{
    /// <summary>One event body and where it came from (for messages).</summary>
    public sealed record Item(string Origin, ReadOnlyMemory<byte> Body);

    /// <summary>Checks the paths before anything runs; null when they all exist.</summary>
    public static string? FindMissing(IEnumerable<string> paths) =>
        paths.FirstOrDefault(p => p != "-" && !File.Exists(p) && !Directory.Exists(p)) is { } missing
            ? $"'{missing}' is neither a file nor a folder"
            : null;

    public static IEnumerable<string> ExpandFiles(IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            if (path == "-")
            {
                yield return path;
            }
            else if (Directory.Exists(path))
            {
                foreach (var file in Directory.EnumerateFiles(path, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
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

    public static async IAsyncEnumerable<Item> ReadAsync(IEnumerable<string> files, TextReader stdin, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var file in files)
        {
            if (file != "-")
            {
                yield return new Item(file, await File.ReadAllBytesAsync(file, cancellationToken));
                continue;
            }

            var lineNumber = 0;
            while (await stdin.ReadLineAsync(cancellationToken) is { } line)
            {
                lineNumber++;
                if (!string.IsNullOrWhiteSpace(line))
                {
                    yield return new Item($"stdin:{lineNumber}", Encoding.UTF8.GetBytes(line));
                }
            }
        }
    }
}
