using System.Text.RegularExpressions;
using Notifier.Notifications.Events;

namespace Notifier.Notifications.Tests.Events;

public sealed partial class BitbucketEventKeysTests
{
    [Fact]
    public void DocumentedMappingTableMatchesTheCode()
    {
        // docs/events.md is what producers read; it must not drift from what the parser does.
        var documented = MappingRow().Matches(File.ReadAllText(Path.Combine(RepositoryFiles.Root, "docs", "events.md")))
            .Select(m => new KeyValuePair<string, string>(m.Groups["key"].Value, m.Groups["type"].Value));

        Assert.Equal(BitbucketEventKeys.Mapping, documented);
    }

    [Fact]
    public void EveryMappedTypeIsCanonical()
    {
        Assert.All(BitbucketEventKeys.Mapping, m => Assert.Contains(m.Value, EventTypes.All));
    }

    [Theory]
    [InlineData("pr:comment:deleted", EventCategory.PullRequest)]
    [InlineData("repo:comment:deleted", EventCategory.Repository)]
    public void DeletedCommentsAreValidKeysWithoutEmailOnTheirOwnQueue(string key, EventCategory category)
    {
        Assert.Null(BitbucketEventKeys.CanonicalTypeOf(key));
        Assert.True(BitbucketEventKeys.IsWithoutEmail(key));
        Assert.Equal(category, BitbucketEventKeys.CategoryOf(key));
    }

    [Theory]
    [InlineData("diagnostics:ping")]
    [InlineData("mirror:repo_synchronized")]
    [InlineData("PR:OPENED")]
    public void KeysWithoutANotificationMapToNothing(string key)
    {
        Assert.Null(BitbucketEventKeys.CanonicalTypeOf(key));
        Assert.False(BitbucketEventKeys.IsWithoutEmail(key));
    }

    [GeneratedRegex(@"^\| `(?<key>(pr|repo):[a-z_:]+)` \| `(?<type>[a-z.-]+)` \|", RegexOptions.Multiline)]
    private static partial Regex MappingRow();
}
