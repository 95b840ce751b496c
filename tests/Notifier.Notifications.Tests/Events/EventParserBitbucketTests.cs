using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Notifier.Notifications.Events;

namespace Notifier.Notifications.Tests.Events;

/// <summary>Every Bitbucket capture in samples/bitbucket maps onto a canonical event with the fixture's values.</summary>
public sealed class EventParserBitbucketTests
{
    private readonly EventParser _parser = new();

    public static TheoryData<string, string, string, long, string?, string> Fixtures() => new()
    {
        { "pr_opened.json", EventTypes.PullRequestOpened, "gopher", 5, "Update README", "~gopher/webhook-test" },
        { "pr_from_ref_updated.json", EventTypes.PullRequestUpdated, "admin", 2, "Webhook", "GIT/dvcs" },
        { "pr_modified.json", EventTypes.PullRequestModified, "gopher", 3, "Feature/wip", "~gopher/webhook-test" },
        { "pr_reviewer_updated.json", EventTypes.PullRequestReviewersUpdated, "gopher", 3, "Update README", "~gopher/webhook-test" },
        { "pr_reviewer_approved.json", EventTypes.PullRequestApproved, "tux", 5, "Update README", "~gopher/webhook-test" },
        { "pr_reviewer_unapproved.json", EventTypes.PullRequestUnapproved, "tux", 5, "Update README", "~gopher/webhook-test" },
        { "pr_reviewer_needs_work.json", EventTypes.PullRequestNeedsWork, "tux", 5, "Update README", "~gopher/webhook-test" },
        { "pr_merged.json", EventTypes.PullRequestMerged, "gopher", 5, "Update README", "~gopher/webhook-test" },
        { "pr_declined.json", EventTypes.PullRequestDeclined, "gopher", 2, "Update README", "~gopher/webhook-test" },
        { "pr_deleted.json", EventTypes.PullRequestDeleted, "gopher", 2, "Update README", "~gopher/webhook-test" },
        { "pr_comment_added.json", EventTypes.PullRequestCommentReplied, "gopher", 2, "Update README", "~gopher/webhook-test" }, // a reply: commentParentId 164
        { "pr_comment_edited.json", EventTypes.PullRequestCommentEdited, "gopher", 2, "Update README", "~gopher/webhook-test" },
        { "repo_comment_added.json", EventTypes.CommitCommentAdded, "gopher", 0, null, "~gopher/webhook-test" },
        { "repo_comment_edited.json", EventTypes.CommitCommentEdited, "gopher", 0, null, "~gopher/webhook-test" },
        { "repo_refs_changed.json", EventTypes.RepositoryPushed, "gopher", 0, null, "~gopher/webhook-test" },
        { "repo_forked.json", EventTypes.RepositoryForked, "tux", 0, null, "~tux/webhook-test" },
        { "repo_modified.json", EventTypes.RepositoryModified, "gopher", 0, null, "gopher/webhook-test" }, // this capture has key "gopher", not "~gopher"
        { "alt/pr_from_ref_updated.real-instance-2023.json", EventTypes.PullRequestUpdated, "john.doe@domain.com", 906, "chore: Debugging pr event", "KUB/kubernetes-config" },
        { "alt/pr_opened.atlassian-docs-2017-sample.json", EventTypes.PullRequestOpened, "admin", 1, "a new file added", "PROJ/repository" },
        { "alt/repo_refs_changed.argo-cd-fixture.json", EventTypes.RepositoryPushed, "john", 0, null, "MYPROJECT/test-repo" },
        { "alt/repo_refs_changed.real-instance-2023.json", EventTypes.RepositoryPushed, "john.doe@domain.com", 0, null, "KUB/kubernetes-config" },
        { "alt/repo_refs_changed.with-commits-toCommit.json", EventTypes.RepositoryPushed, "admin", 0, null, "PROJECT_1/rep_1" },
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void FixtureMapsOntoTheCanonicalEvent(string file, string type, string actor, long pullRequestId, string? title, string repository)
    {
        var result = _parser.Parse(RepositoryFiles.Bitbucket(file));

        Assert.True(result.IsSuccess, result.Error);
        var e = result.Event!;
        Assert.Equal(type, e.Type);
        Assert.Equal(actor, e.Actor.Name);
        Assert.Equal(repository, e.Repository!.FullName);
        Assert.Equal(pullRequestId, e.PullRequest?.Id ?? 0);
        Assert.Equal(title, e.PullRequest?.Title);
        Assert.StartsWith("bitbucket-", e.Id, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryCaptureIsCoveredByTheMappingTest()
    {
        var covered = Fixtures().Select(row => (string)row[0]).Concat(["pr_comment_deleted.json", "repo_comment_deleted.json"]);
        var files = Directory.GetFiles(RepositoryFiles.BitbucketDirectory, "*.json", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(RepositoryFiles.BitbucketDirectory, f).Replace('\\', '/'));
        Assert.Equal(files.Order(StringComparer.Ordinal), covered.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("pr_comment_deleted.json", "pr:comment:deleted")]
    [InlineData("repo_comment_deleted.json", "repo:comment:deleted")]
    public void AValidEventBitbucketSendsNoEmailForIsReadAndMarkedWithoutEmail(string file, string key)
    {
        var result = _parser.Parse(RepositoryFiles.Bitbucket(file));

        Assert.False(result.IsSuccess);
        Assert.Null(result.Error);
        Assert.True(result.IsWithoutEmail);
        Assert.Equal($"Bitbucket sends no email for {key}", result.WithoutEmailReason);
        Assert.Equal(key, result.EventType);
        Assert.StartsWith("bitbucket-", result.EventId, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pr_comment_deleted.json", "\"text\":", "\"words\":", "comment.text: required string")]
    [InlineData("repo_comment_deleted.json", "\"slug\":", "\"name-slug\":", "repository.slug: required string")]
    public void ABrokenBodyOfAKeyWithoutEmailIsStillRejected(string file, string find, string replace, string reason)
    {
        var body = Encoding.UTF8.GetString(RepositoryFiles.Bitbucket(file)).Replace(find, replace, StringComparison.Ordinal);

        var result = _parser.Parse(Encoding.UTF8.GetBytes(body));

        Assert.False(result.IsWithoutEmail);
        Assert.StartsWith(reason, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void PullRequestOpenedKeepsDateOffsetUsersBranchesAndLinks()
    {
        var e = _parser.Parse(RepositoryFiles.Bitbucket("pr_opened.json")).Event!;

        Assert.Equal(new DateTimeOffset(2019, 3, 1, 10, 31, 15, TimeSpan.FromHours(1)), e.Time);
        Assert.Equal(TimeSpan.FromHours(1), e.Time.Offset);
        Assert.Equal(new User("gopher", "Foo Bar", "gopher@foo.bar"), e.Actor);
        var pullRequest = e.PullRequest!;
        Assert.Equal("yada yada yada", pullRequest.Description);
        Assert.Equal("OPEN", pullRequest.State);
        Assert.Equal(new Uri("https://server.bitbucket.local/users/gopher/repos/webhook-test/pull-requests/5"), pullRequest.Url);
        Assert.Equal(new BranchRef("feature/wip", "32a0b8a740c2963c6f56bd8baf3dc05683d299e0"), pullRequest.Source);
        Assert.Equal(new BranchRef("master", "cde6c45a4210afe81638aa1f3aa960d633c66a90"), pullRequest.Target);
        Assert.Equal("gopher", pullRequest.Author.Name);
        var reviewer = Assert.Single(pullRequest.Reviewers);
        Assert.Equal(new Participant(new User("tux", "Cain Piper", "cain.piper@foo.bar"), ReviewStatus.Unapproved), reviewer);
        Assert.Equal("Foo Bar", e.Repository!.ProjectName);
        Assert.Equal(new Uri("https://server.bitbucket.local/users/gopher/repos/webhook-test/browse"), e.Repository.Url);
    }

    [Fact]
    public void DescriptionLeftOutWhenEmptyIsNull()
    {
        var pullRequest = _parser.Parse(RepositoryFiles.Bitbucket("pr_from_ref_updated.json")).Event!.PullRequest!;

        Assert.Null(pullRequest.Description);
        Assert.Equal(new DateTimeOffset(2020, 2, 20, 14, 49, 41, TimeSpan.FromHours(11)), _parser.Parse(RepositoryFiles.Bitbucket("pr_from_ref_updated.json")).Event!.Time);
    }

    [Fact]
    public void SelfLinkOfNullIsNoUrl()
    {
        var e = _parser.Parse(RepositoryFiles.Bitbucket("alt/pr_opened.atlassian-docs-2017-sample.json")).Event!;

        Assert.Null(e.PullRequest!.Url);
        Assert.Equal(new DateTimeOffset(2017, 9, 19, 9, 58, 11, TimeSpan.FromHours(10)), e.Time);
    }

    [Fact]
    public void MergedKeepsStateAndReviewerVerdict()
    {
        var pullRequest = _parser.Parse(RepositoryFiles.Bitbucket("pr_merged.json")).Event!.PullRequest!;

        Assert.Equal("MERGED", pullRequest.State);
        Assert.Equal(ReviewStatus.Approved, Assert.Single(pullRequest.Reviewers).Status);
    }

    [Fact]
    public void NeedsWorkKeepsReviewerVerdict()
    {
        var pullRequest = _parser.Parse(RepositoryFiles.Bitbucket("pr_reviewer_needs_work.json")).Event!.PullRequest!;

        Assert.Equal(ReviewStatus.NeedsWork, Assert.Single(pullRequest.Reviewers).Status);
    }

    [Fact]
    public void ChangesRequestedIsNeedsWork()
    {
        var body = Encoding.UTF8.GetString(RepositoryFiles.Bitbucket("pr_reviewer_needs_work.json"))
            .Replace("\"pr:reviewer:needs_work\"", "\"pr:reviewer:changes_requested\"", StringComparison.Ordinal);

        var result = _parser.Parse(Encoding.UTF8.GetBytes(body));

        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(EventTypes.PullRequestNeedsWork, result.Event!.Type);
        Assert.Equal("tux", result.Event.Actor.Name);
    }

    [Fact]
    public void OpenedAsADraftIsDraftOpened()
    {
        var result = _parser.Parse(Capture("pr_opened.json", body => body["pullRequest"]!["draft"] = true));

        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(EventTypes.PullRequestDraftOpened, result.Event!.Type);
        Assert.Equal(5, result.Event.PullRequest!.Id);
    }

    [Fact]
    public void OpenedNotAsADraftStaysOpened()
    {
        var result = _parser.Parse(Capture("pr_opened.json", body => body["pullRequest"]!["draft"] = false));

        Assert.Equal(EventTypes.PullRequestOpened, result.Event!.Type);
    }

    [Theory]
    [InlineData(true, false, EventTypes.PullRequestReadyForReview)]
    [InlineData(false, true, EventTypes.PullRequestConvertedToDraft)]
    [InlineData(false, false, EventTypes.PullRequestModified)]
    [InlineData(true, true, EventTypes.PullRequestModified)]
    public void ModifiedWithADraftChangeIsReadyForReviewOrBackToDraft(bool previousDraft, bool draft, string type)
    {
        var result = _parser.Parse(Capture("pr_modified.json", body =>
        {
            body["previousDraft"] = previousDraft;
            body["pullRequest"]!["draft"] = draft;
        }));

        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(type, result.Event!.Type);
        Assert.Equal("Feature/wip", result.Event.PullRequest!.Title);
    }

    [Fact]
    public void ModifiedFromAnOlderServerWithoutDraftsStaysModified()
    {
        var e = _parser.Parse(RepositoryFiles.Bitbucket("pr_modified.json")).Event!;

        Assert.Equal(EventTypes.PullRequestModified, e.Type);
        Assert.NotNull(e.Changes);
    }

    [Fact]
    public void ADraftFlagThatIsNotABooleanIsRejected()
    {
        var result = _parser.Parse(Capture("pr_opened.json", body => body["pullRequest"]!["draft"] = "yes"));

        Assert.Equal("pullRequest.draft: expected true or false, got a string", result.Error);
    }

    [Fact]
    public void CommentWithAParentIdIsAReplyNamingItsParent()
    {
        var e = _parser.Parse(RepositoryFiles.Bitbucket("pr_comment_added.json")).Event!;

        Assert.Equal(EventTypes.PullRequestCommentReplied, e.Type);
        Assert.Equal(164, e.Comment!.ParentId);
        Assert.Null(e.Comment.Parent);
    }

    [Fact]
    public void CommentWithoutAParentIdIsAComment()
    {
        var e = _parser.Parse(Capture("pr_comment_added.json", body => body.Remove("commentParentId"))).Event!;

        Assert.Equal(EventTypes.PullRequestCommentAdded, e.Type);
        Assert.Null(e.Comment!.ParentId);
    }

    private static byte[] Capture(string file, Action<JsonObject> change)
    {
        var body = JsonNode.Parse(RepositoryFiles.Bitbucket(file))!.AsObject();
        change(body);
        return Encoding.UTF8.GetBytes(body.ToJsonString());
    }

    [Fact]
    public void EventKeyFromTheMessagePropertyIsUsedWhenTheBodyLacksOne()
    {
        var body = Encoding.UTF8.GetString(RepositoryFiles.Bitbucket("pr_merged.json"))
            .Replace("\"eventKey\": \"pr:merged\",", "", StringComparison.Ordinal);
        Assert.DoesNotContain("eventKey", body, StringComparison.Ordinal);

        var result = _parser.Parse(Encoding.UTF8.GetBytes(body), "pr:merged");

        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(EventTypes.PullRequestMerged, result.Event!.Type);
        Assert.Equal(5, result.Event.PullRequest!.Id);
    }

    [Fact]
    public void SameBodyGetsTheSameIdAndADifferentBodyAnother()
    {
        var first = _parser.Parse(RepositoryFiles.Bitbucket("pr_merged.json")).EventId;
        var again = _parser.Parse(RepositoryFiles.Bitbucket("pr_merged.json")).EventId;
        var other = _parser.Parse(RepositoryFiles.Bitbucket("pr_declined.json")).EventId;

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void CommentAddedLinksToTheCommentOnThePullRequest()
    {
        var comment = _parser.Parse(RepositoryFiles.Bitbucket("pr_comment_added.json")).Event!.Comment!;

        Assert.Equal(167, comment.Id);
        Assert.Equal("test", comment.Text);
        Assert.Equal("gopher", comment.Author.Name);
        Assert.Equal(new Uri("https://server.bitbucket.local/users/gopher/repos/webhook-test/pull-requests/2/overview?commentId=167"), comment.Url);
    }

    [Fact]
    public void CommentEditedKeepsThePreviousText()
    {
        var comment = _parser.Parse(RepositoryFiles.Bitbucket("pr_comment_edited.json")).Event!.Comment!;

        Assert.Equal(165, comment.Id);
        Assert.Equal("yada edit comment", comment.Text);
        Assert.Equal("yada yada yada", comment.PreviousText);
    }

    [Fact]
    public void ModifiedKeepsPreviousTitleDescriptionAndTarget()
    {
        var changes = _parser.Parse(RepositoryFiles.Bitbucket("pr_modified.json")).Event!.Changes!;

        Assert.Equal("Feature/wip", changes.PreviousTitle);
        Assert.Equal("wip", changes.PreviousDescription);
        Assert.Equal("master", changes.PreviousTarget!.Name);
    }

    [Fact]
    public void ReviewerUpdateKeepsAddedReviewers()
    {
        var changes = _parser.Parse(RepositoryFiles.Bitbucket("pr_reviewer_updated.json")).Event!.Changes!;

        Assert.Equal(new User("tux", "Cain Piper", "cain.piper@foo.bar"), Assert.Single(changes.AddedReviewers));
        Assert.Empty(changes.RemovedReviewers);
    }

    [Fact]
    public void CommitCommentNamesTheCommitAndLinksToIt()
    {
        var e = _parser.Parse(RepositoryFiles.Bitbucket("repo_comment_edited.json")).Event!;

        Assert.Equal("038e7b67735e54f6de8f1c5d533c6751df524f6c", e.Commit!.Id);
        Assert.Equal(new Uri("https://server.bitbucket.local/users/gopher/repos/webhook-test/commits/038e7b67735e54f6de8f1c5d533c6751df524f6c"), e.Commit.Url);
        Assert.Equal(145, e.Comment!.Id);
        Assert.Equal("Test commit comment editing comment", e.Comment.Text);
        Assert.Equal("Test commit comment", e.Comment.PreviousText);
    }

    [Fact]
    public void DeletedBranchHasNoNewHash()
    {
        var change = Assert.Single(_parser.Parse(RepositoryFiles.Bitbucket("repo_refs_changed.json")).Event!.Push!.Changes);

        Assert.Equal(new RefChange("refs/heads/feature/wip", "feature/wip", "DELETE", "32a0b8a740c2963c6f56bd8baf3dc05683d299e0", null), change);
    }

    [Fact]
    public void PushWithCommitsKeepsThem()
    {
        var push = _parser.Parse(RepositoryFiles.Bitbucket("alt/repo_refs_changed.with-commits-toCommit.json")).Event!.Push!;

        Assert.Equal("UPDATE", Assert.Single(push.Changes).Type);
        var commit = Assert.Single(push.Commits);
        Assert.Equal("a00945762949b7b787ecabc388c0e20b1b85f0b4", commit.Id);
        Assert.Equal("My commit message", commit.Message);
        Assert.Equal("admin@example.com", commit.Author!.Email);
    }

    [Fact]
    public void ForkNamesTheForkAndItsOrigin()
    {
        var e = _parser.Parse(RepositoryFiles.Bitbucket("repo_forked.json")).Event!;

        Assert.Equal("~tux/webhook-test", e.Repository!.FullName);
        Assert.Equal("~gopher/webhook-test", e.Origin!.FullName);
        Assert.Equal(new User("tux", "Cain Piper", "cain.piper@foo.bar"), e.Actor);
    }

    [Fact]
    public void RepositoryModifiedKeepsTheOldRepository()
    {
        var e = _parser.Parse(RepositoryFiles.Bitbucket("repo_modified.json")).Event!;

        Assert.Equal("webhook-test", e.Repository!.Slug);
        Assert.Equal("webhook-test-2", e.Changes!.PreviousRepository!.Slug);
    }

    [Fact]
    public void UserWithoutEmailAddressParses()
    {
        var body = Encoding.UTF8.GetString(RepositoryFiles.Bitbucket("pr_reviewer_approved.json"))
            .Replace("\"emailAddress\": \"cain.piper@foo.bar\",", "", StringComparison.Ordinal);

        var e = _parser.Parse(Encoding.UTF8.GetBytes(body)).Event!;

        Assert.Equal(new User("tux", "Cain Piper", null), e.Actor);
        Assert.Null(Assert.Single(e.PullRequest!.Reviewers).User.Email);
    }

    [Fact]
    public void EpochMillisecondDateIsAccepted()
    {
        var body = Encoding.UTF8.GetString(RepositoryFiles.Bitbucket("pr_declined.json"))
            .Replace("\"date\": \"2019-03-01T10:12:35+0100\"", "\"date\": 1551431555605", StringComparison.Ordinal);

        var e = _parser.Parse(Encoding.UTF8.GetBytes(body)).Event!;

        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1551431555605), e.Time);
    }

    [Theory]
    [InlineData("\"date\": \"2019-03-01T10:12:35+0100\"", "\"date\": \"last Friday\"", "date: not a date")]
    [InlineData("\"title\": \"Update README\"", "\"title\": 42", "pullRequest.title: required string, got a number")]
    [InlineData("\"eventKey\": \"pr:declined\"", "\"eventKey\": \"pr:exploded\"", "Bitbucket event pr:exploded has no notification")]
    [InlineData("\"eventKey\": \"pr:declined\"", "\"eventKey\": 7", "eventKey: expected a string, got a number")]
    public void BrokenBitbucketBodyIsRejectedWithThePreciseReason(string find, string replace, string reason)
    {
        var body = Encoding.UTF8.GetString(RepositoryFiles.Bitbucket("pr_declined.json")).Replace(find, replace, StringComparison.Ordinal);

        var result = _parser.Parse(Encoding.UTF8.GetBytes(body));

        Assert.False(result.IsSuccess);
        Assert.StartsWith(reason, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void BitbucketMappingTableNamesEveryCaptureKeyAndChangesRequested()
    {
        var keys = BitbucketEventKeys.Mapping.Select(m => m.Key).ToHashSet();

        foreach (var file in Fixtures().Select(row => (string)row[0]))
        {
            var key = JsonDocument.Parse(RepositoryFiles.Bitbucket(file)).RootElement.GetProperty("eventKey").GetString()!;
            Assert.Contains(key, keys);
        }

        Assert.Equal(EventTypes.PullRequestNeedsWork, BitbucketEventKeys.CanonicalTypeOf("pr:reviewer:changes_requested"));
        Assert.Null(BitbucketEventKeys.CanonicalTypeOf("pr:comment:deleted"));
    }

    [Fact]
    public void RecipientsAddedByARelayAreRead()
    {
        var body = Encoding.UTF8.GetString(RepositoryFiles.Bitbucket("repo_refs_changed.json"))
            .Replace("\"eventKey\": \"repo:refs_changed\",", "\"eventKey\": \"repo:refs_changed\", \"recipients\": [{\"name\": \"tux\", \"displayName\": \"Cain Piper\", \"emailAddress\": \"cain.piper@foo.bar\"}],", StringComparison.Ordinal);

        var e = _parser.Parse(Encoding.UTF8.GetBytes(body)).Event!;

        Assert.Equal([new User("tux", "Cain Piper", "cain.piper@foo.bar")], e.Recipients);
    }

    [Fact]
    public void TooManyRelayRecipientsAreRejected()
    {
        var many = string.Join(",", Enumerable.Range(0, 501).Select(i => $"{{\"name\": \"u{i}\"}}"));
        var body = Encoding.UTF8.GetString(RepositoryFiles.Bitbucket("repo_refs_changed.json"))
            .Replace("\"eventKey\": \"repo:refs_changed\",", $"\"eventKey\": \"repo:refs_changed\", \"recipients\": [{many}],", StringComparison.Ordinal);

        Assert.Equal("recipients: 501 entries; the limit is 500", _parser.Parse(Encoding.UTF8.GetBytes(body)).Error);
    }

    [Fact]
    public void SourceBranchInAForkKeepsItsRepository()
    {
        var json = JsonNode.Parse(RepositoryFiles.Bitbucket("pr_opened.json"))!;
        json["pullRequest"]!["fromRef"]!["repository"]!["slug"] = "webhook-test-fork";

        var pullRequest = _parser.Parse(Encoding.UTF8.GetBytes(json.ToJsonString())).Event!.PullRequest!;

        Assert.Equal("~gopher/webhook-test-fork", pullRequest.Source.Repository!.FullName);
        Assert.Null(pullRequest.Target.Repository);
    }
}
