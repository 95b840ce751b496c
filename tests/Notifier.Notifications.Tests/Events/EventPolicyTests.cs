using Notifier.Notifications.Events;

namespace Notifier.Notifications.Tests.Events;

public sealed class EventPolicyTests
{
    private const string Token = "q7Jx2mVbR9tLw4ZcKp8sNf3Ha6Ye1Ud0";

    private static readonly User Leila = new("l.nakamura", "Leila Nakamura", "leila.nakamura@example.com");

    private static NotificationEvent AccountEvent(string link, IReadOnlyList<User>? recipients = null, string type = EventTypes.AccountCreated) => new()
    {
        Type = type,
        Id = "evt-1",
        Time = DateTimeOffset.UnixEpoch,
        Actor = new User("admin", "Site Administrator", "git-admin@example.com"),
        Account = new Account { User = Leila, Link = new Uri(link), ExpiresAt = DateTimeOffset.UnixEpoch.AddDays(3) },
        Recipients = recipients,
    };

    private static EventPolicy Policy(string? baseUrl = "https://git.example.com/") =>
        new(new NotificationOptions { BaseUrl = baseUrl is null ? null : new Uri(baseUrl) });

    [Theory]
    [InlineData("https://git.example.com/", "https://git.example.com/passwordreset?token=" + Token)]
    [InlineData("https://git.example.com", "https://git.example.com/passwordreset?token=" + Token)]
    [InlineData("https://git.example.com/", "https://GIT.Example.COM/passwordreset?token=" + Token)]
    [InlineData("https://git.example.com:443/", "https://git.example.com/passwordreset?token=" + Token)]
    [InlineData("https://example.com/bitbucket/", "https://example.com/bitbucket/passwordreset?token=" + Token)]
    [InlineData("https://example.com/bitbucket", "https://example.com/bitbucket/passwordreset?token=" + Token)]
    [InlineData("https://git.example.com:8443/", "https://git.example.com:8443/passwordreset?token=" + Token)]
    public void LinkOnTheSiteIsAccepted(string baseUrl, string link)
    {
        Assert.Null(Policy(baseUrl).Check(AccountEvent(link)));
    }

    [Theory]
    [InlineData("https://evil.org/passwordreset?token=" + Token, "points to another host or port")]
    [InlineData("https://git.example.com.evil.org/passwordreset?token=" + Token, "points to another host or port")]
    [InlineData("https://evilgit.example.com/passwordreset?token=" + Token, "points to another host or port")]
    [InlineData("https://git.example.com@evil.org/passwordreset?token=" + Token, "carries user information")]
    [InlineData("https://user:" + Token + "@git.example.com/passwordreset", "carries user information")]
    [InlineData("http://git.example.com/passwordreset?token=" + Token, "is not an absolute https URL")]
    [InlineData("javascript:alert('" + Token + "')", "is not an absolute https URL")]
    [InlineData("https://git.example.com:8443/passwordreset?token=" + Token, "points to another host or port")]
    public void LinkOffTheSiteIsRejectedWithoutShowingIt(string link, string problem)
    {
        var reason = Policy().Check(AccountEvent(link));

        Assert.NotNull(reason);
        Assert.Contains(problem, reason, StringComparison.Ordinal);
        Assert.Contains("Notifications__BaseUrl", reason, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, reason, StringComparison.Ordinal);
        Assert.DoesNotContain("passwordreset", reason, StringComparison.Ordinal);
        Assert.DoesNotContain("evil", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://example.com/bitbucket/", "https://example.com/bitbucketevil/passwordreset?token=" + Token)]
    [InlineData("https://example.com/bitbucket", "https://example.com/bitbucket-evil/passwordreset?token=" + Token)]
    [InlineData("https://example.com/bitbucket/", "https://example.com/other/passwordreset?token=" + Token)]
    [InlineData("https://example.com/bitbucket/", "https://example.com/bitbucket/../other/passwordreset?token=" + Token)]
    [InlineData("https://example.com/bitbucket/", "https://example.com/bitbucket/%2e%2e/other/passwordreset?token=" + Token)]
    public void LinkOutsideTheBasePathIsRejected(string baseUrl, string link)
    {
        var reason = Policy(baseUrl).Check(AccountEvent(link));

        Assert.NotNull(reason);
        Assert.Contains("is outside the site's path", reason, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingBaseUrlRejectsAccountEventsAndSaysWhatToSet()
    {
        var reason = Policy(baseUrl: null).Check(AccountEvent("https://git.example.com/passwordreset?token=" + Token));

        Assert.NotNull(reason);
        Assert.Contains("set Notifications__BaseUrl", reason, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void PlainHttpBaseUrlRejectsAccountEvents()
    {
        var reason = Policy("http://git.example.com/").Check(AccountEvent("https://git.example.com/passwordreset?token=" + Token));

        Assert.NotNull(reason);
        Assert.Contains("Notifications__BaseUrl must be an absolute https URL", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingBaseUrlDoesNotAffectOtherEvents()
    {
        var pullRequest = new EventParser().Parse(RepositoryFiles.SampleBytes(EventTypes.PullRequestOpened)).Event!;

        Assert.Null(Policy(baseUrl: null).Check(pullRequest));
    }

    [Fact]
    public void AccountEmailToSomeoneElseIsRejected()
    {
        var reason = Policy().Check(AccountEvent(
            "https://git.example.com/passwordreset?token=" + Token,
            [Leila, new User("mallory", "Mallory", "mallory@evil.org")]));

        Assert.NotNull(reason);
        Assert.Contains("account emails go only to the account's user", reason, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AccountEmailListingOnlyItsUserIsAccepted()
    {
        var sameUserOtherCase = new User("l.nakamura", null, "Leila.Nakamura@Example.com");

        Assert.Null(Policy().Check(AccountEvent("https://git.example.com/passwordreset?token=" + Token, [sameUserOtherCase], EventTypes.AccountPasswordReset)));
    }

    [Fact]
    public void RecipientWithTheUsersNameButAnotherAddressIsRejected()
    {
        var impostor = new User("l.nakamura", "Leila Nakamura", "leila@evil.org");

        Assert.NotNull(Policy().Check(AccountEvent("https://git.example.com/passwordreset?token=" + Token, [impostor])));
    }

    [Theory]
    [InlineData(EventTypes.AccountCreated)]
    [InlineData(EventTypes.AccountPasswordReset)]
    public void AccountSamplesPassWithTheSamplesBaseUrl(string type)
    {
        var e = new EventParser().Parse(RepositoryFiles.SampleBytes(type)).Event!;

        Assert.Null(Policy("https://git.example.com/").Check(e));
        Assert.NotNull(Policy("https://bitbucket.example.org/").Check(e));
    }

    [Fact]
    public void AccountEventWithoutAccountIsRejected()
    {
        var e = AccountEvent("https://git.example.com/passwordreset?token=" + Token) with { Account = null };

        Assert.Equal("account.created carries no account (user and link)", Policy().Check(e));
    }
}
