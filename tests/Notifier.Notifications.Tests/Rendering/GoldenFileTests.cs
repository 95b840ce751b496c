using Xunit.Sdk;

namespace Notifier.Notifications.Tests.Rendering;

public sealed class GoldenFileTests
{
    [Fact]
    public void DiffShowsRemovedAndAddedLinesWithContext()
    {
        var diff = GoldenFile.Diff("a\nb\nc\nd", "a\nB\nc\nd");

        Assert.Contains("- b\n", diff, StringComparison.Ordinal);
        Assert.Contains("+ B\n", diff, StringComparison.Ordinal);
        Assert.Contains("  a\n", diff, StringComparison.Ordinal);
    }

    [Fact]
    public void MismatchFailsWithTheDiffWhenNotUpdating()
    {
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            return;
        }

        var error = Assert.Throws<XunitException>(() => GoldenFile.AssertMatches("golden-file-helper.txt", "first line\nsomething else\n"));

        Assert.Contains("+ something else", error.Message, StringComparison.Ordinal);
        Assert.Contains("- second line", error.Message, StringComparison.Ordinal);
    }
}
