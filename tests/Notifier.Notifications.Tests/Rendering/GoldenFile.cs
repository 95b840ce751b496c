using System.Runtime.CompilerServices;
using System.Text;
using Xunit.Sdk;

namespace Notifier.Notifications.Tests.Rendering;

/// <summary>
/// Compares text with a file under <c>Golden/</c> next to the test source. On a mismatch it fails with a line
/// diff; with the environment variable <c>UPDATE_GOLDEN=1</c> it rewrites the file instead (review the change
/// with <c>git diff</c> before committing it).
/// </summary>
internal static class GoldenFile
{
    public static void AssertMatches(string name, string actual, [CallerFilePath] string callerPath = "")
    {
        var directory = Path.Combine(Path.GetDirectoryName(callerPath)!, "Golden");
        var path = Path.Combine(directory, name);
        actual = actual.ReplaceLineEndings("\n");
        var update = Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1";

        if (!File.Exists(path))
        {
            if (update)
            {
                Directory.CreateDirectory(directory);
                File.WriteAllText(path, actual, new UTF8Encoding(false));
                return;
            }

            throw new XunitException($"Golden file {path} does not exist. Run the tests with UPDATE_GOLDEN=1 to create it, then review it.");
        }

        var expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        if (expected == actual)
        {
            return;
        }

        if (update)
        {
            File.WriteAllText(path, actual, new UTF8Encoding(false));
            return;
        }

        throw new XunitException($"Output differs from golden file {path} (- golden, + actual). If the change is intended, run with UPDATE_GOLDEN=1 and review the diff.\n{Diff(expected, actual)}");
    }

    /// <summary>A line diff (longest common subsequence) showing changed lines with two lines of context.</summary>
    internal static string Diff(string expected, string actual)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var lines = new List<(char Kind, string Text)>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                lines.Add((' ', a[x++]));
                y++;
            }
            else if (y < b.Length && (x == a.Length || lcs[x, y + 1] >= lcs[x + 1, y]))
            {
                lines.Add(('+', b[y++]));
            }
            else
            {
                lines.Add(('-', a[x++]));
            }
        }

        var output = new StringBuilder();
        var shown = 0;
        for (var i = 0; i < lines.Count && shown < 200; i++)
        {
            var near = false;
            for (var k = Math.Max(0, i - 2); k <= Math.Min(lines.Count - 1, i + 2) && !near; k++)
            {
                near = lines[k].Kind != ' ';
            }

            if (near)
            {
                output.Append(lines[i].Kind).Append(' ').Append(lines[i].Text).Append('\n');
                shown++;
            }
            else if (output.Length > 0 && output[^1] == '\n' && !output.ToString().EndsWith("...\n", StringComparison.Ordinal))
            {
                output.Append("...\n");
            }
        }

        return output.ToString();
    }
}
