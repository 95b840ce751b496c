using System.Text;
using Notifier.Notifications.Events;

namespace Notifier.Notifications.Tests.Events;

public sealed class EventParserCanonicalTests
{
    private readonly EventParser _parser = new();

    public static TheoryData<string> Types() => new(EventTypes.All);

    [Theory]
    [MemberData(nameof(Types))]
    public void EverySampleParses(string type)
    {
        var result = _parser.Parse(RepositoryFiles.SampleBytes(type));

        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(type, result.Event!.Type);
        Assert.Equal(type, result.EventType);
        Assert.StartsWith("evt-2026-11-21-", result.EventId, StringComparison.Ordinal);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 9, 0, 0, TimeSpan.Zero).Date, result.Event.Time.UtcDateTime.Date);
    }

    [Theory]
    [MemberData(nameof(InvalidEvents.Names), MemberType = typeof(InvalidEvents))]
    public void InvalidEventIsRejectedWithThePreciseReason(string name)
    {
        var (json, reason) = InvalidEvents.Get(name);

        var result = _parser.Parse(Encoding.UTF8.GetBytes(json));

        Assert.False(result.IsSuccess);
        Assert.StartsWith(reason, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void RecipientsMarkedImmediateAreRead()
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(RepositoryFiles.SampleBytes(EventTypes.PullRequestApproved))!.AsObject();
        json["recipients"] = System.Text.Json.Nodes.JsonNode.Parse("""
            [{"name": "tomas", "email": "tomas.alvarez@example.com", "immediate": true},
             {"name": "priya.raman", "email": "priya.raman@example.com", "immediate": false},
             {"name": "jbecker", "email": "jonas.becker@example.com"}]
            """);

        var result = _parser.Parse(Encoding.UTF8.GetBytes(json.ToJsonString()));

        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(["tomas"], result.Event!.ImmediateRecipients);
        Assert.Equal(3, result.Event.Recipients!.Count);
    }

    [Fact]
    public void AReplyMayNameOnlyTheIdOfTheCommentItAnswers()
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(RepositoryFiles.SampleBytes(EventTypes.PullRequestCommentReplied))!.AsObject();
        json["comment"]!.AsObject().Remove("parent");
        json["comment"]!["parentId"] = 9142;

        var result = _parser.Parse(Encoding.UTF8.GetBytes(json.ToJsonString()));

        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(9142, result.Event!.Comment!.ParentId);
        Assert.Null(result.Event.Comment.Parent);
    }

    [Fact]
    public void TheParentsIdIsTheParentIdWhenOnlyTheParentIsGiven()
    {
        var result = _parser.Parse(RepositoryFiles.SampleBytes(EventTypes.PullRequestCommentReplied));

        Assert.Equal(result.Event!.Comment!.Parent!.Id, result.Event.Comment.ParentId);
    }

    [Fact]
    public void RejectionStillCarriesTheEventIdAndType()
    {
        var (json, _) = InvalidEvents.Get("title missing");

        var result = _parser.Parse(Encoding.UTF8.GetBytes(json));

        Assert.Equal("pullrequest.opened", result.EventType);
        Assert.StartsWith("evt-2026-11-21-pullrequest-opened-", result.EventId, StringComparison.Ordinal);
    }

    [Fact]
    public void PullRequestOpenedSampleMapsEveryPart()
    {
        var e = _parser.Parse(RepositoryFiles.SampleBytes(EventTypes.PullRequestOpened)).Event!;

        Assert.Equal(EventCategory.PullRequest, e.Category);
        Assert.Equal(new User("priya.raman", "Priya Raman", "priya.raman@example.com"), e.Actor);
        Assert.Equal("PAY/ledger-service", e.Repository!.FullName);
        Assert.Equal("Payments", e.Repository.ProjectName);
        var pullRequest = e.PullRequest!;
        Assert.Equal(482, pullRequest.Id);
        Assert.Equal("Add retry budget to the settlement client", pullRequest.Title);
        Assert.Contains("```csharp", pullRequest.Description, StringComparison.Ordinal);
        Assert.Equal("OPEN", pullRequest.State);
        Assert.Equal(new Uri("https://git.example.com/projects/PAY/repos/ledger-service/pull-requests/482"), pullRequest.Url);
        Assert.Equal("feature/retry-budget", pullRequest.Source.Name);
        Assert.Equal("main", pullRequest.Target.Name);
        Assert.Equal(["tomas", "mei.lin"], pullRequest.Reviewers.Select(r => r.User.Name));
        Assert.All(pullRequest.Reviewers, r => Assert.Equal(ReviewStatus.Unapproved, r.Status));
        Assert.Null(e.Recipients);
    }

    [Fact]
    public void ReplyCommentKeepsItsParentAndAnchor()
    {
        var comment = _parser.Parse(RepositoryFiles.SampleBytes(EventTypes.PullRequestCommentAdded)).Event!.Comment!;

        Assert.Equal(9142, comment.Id);
        Assert.Equal("priya.raman", comment.Author.Name);
        Assert.Equal(9135, comment.Parent!.Id);
        Assert.Equal("tomas", comment.Parent.Author.Name);
        Assert.Equal("src/Settlement/RetryBudget.cs", comment.Path);
        Assert.Equal(42, comment.Line);
    }

    [Fact]
    public void PushKeepsEveryRefAndCommit()
    {
        var e = _parser.Parse(RepositoryFiles.SampleBytes(EventTypes.RepositoryPushed)).Event!;

        Assert.Equal(["UPDATE", "ADD", "DELETE"], e.Push!.Changes.Select(c => c.Type));
        Assert.Null(e.Push.Changes[1].FromHash);
        Assert.Null(e.Push.Changes[2].ToHash);
        Assert.Equal(3, e.Push.CommitCount);
        Assert.Equal("a7f3c9e1b5d", e.Push.Commits[0].DisplayId);
        Assert.Equal(3, e.Recipients!.Count);
    }

    [Fact]
    public void AccountCreatedMapsSetPasswordUrlOntoTheLink()
    {
        var account = _parser.Parse(RepositoryFiles.SampleBytes(EventTypes.AccountCreated)).Event!.Account!;

        Assert.Equal("leila.nakamura@example.com", account.User.Email);
        Assert.Equal("https://git.example.com/passwordreset?token=q7Jx2mVbR9tLw4ZcKp8sNf3Ha6Ye1Ud0", account.Link.AbsoluteUri);
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 9, 30, 17, TimeSpan.Zero), account.ExpiresAt);
        Assert.DoesNotContain("token", account.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void PasswordResetMapsResetUrlOntoTheLink()
    {
        var account = _parser.Parse(RepositoryFiles.SampleBytes(EventTypes.AccountPasswordReset)).Event!.Account!;

        Assert.Equal("https://git.example.com/passwordreset?token=Zt5Wq1Lr8Ve3Nk7Xb2Hm9Cy4Pj6Sd0Ga", account.Link.AbsoluteUri);
    }

    [Fact]
    public void ModificationKeepsWhatChanged()
    {
        var e = _parser.Parse(RepositoryFiles.SampleBytes(EventTypes.PullRequestModified)).Event!;

        Assert.Equal("WIP: retry budget for settlements", e.Changes!.PreviousTitle);
        Assert.Equal("main", e.Changes.PreviousTarget!.Name);
        Assert.Equal("release/2026.12", e.PullRequest!.Target.Name);
    }

    [Fact]
    public void ReviewerChangesKeepAddedAndRemoved()
    {
        var changes = _parser.Parse(RepositoryFiles.SampleBytes(EventTypes.PullRequestReviewersUpdated)).Event!.Changes!;

        Assert.Equal(["amara", "sven"], changes.AddedReviewers.Select(u => u.Name));
        Assert.Null(changes.AddedReviewers[1].Email);
        Assert.Equal(["tomas"], changes.RemovedReviewers.Select(u => u.Name));
    }

    [Fact]
    public void ForkKeepsItsOrigin()
    {
        var e = _parser.Parse(RepositoryFiles.SampleBytes(EventTypes.RepositoryForked)).Event!;

        Assert.Equal("~amara/ledger-service", e.Repository!.FullName);
        Assert.Equal("PAY/ledger-service", e.Origin!.FullName);
    }

    [Fact]
    public void TimeOffsetIsKept()
    {
        var json = Encoding.UTF8.GetString(RepositoryFiles.SampleBytes(EventTypes.PullRequestMerged))
            .Replace("2026-11-21T09:47:17Z", "2026-11-21T10:47:17.250+01:00", StringComparison.Ordinal);

        var time = _parser.Parse(Encoding.UTF8.GetBytes(json)).Event!.Time;

        Assert.Equal(TimeSpan.FromHours(1), time.Offset);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 9, 47, 17, 250, TimeSpan.Zero), time);
    }

    [Fact]
    public void UnknownPropertiesAreIgnoredAsTheSchemaAllows()
    {
        var json = Encoding.UTF8.GetString(RepositoryFiles.SampleBytes(EventTypes.PullRequestDeclined))
            .Replace("\"specVersion\": \"1.0\",", "\"specVersion\": \"1.0\", \"x-producer\": {\"build\": 7},", StringComparison.Ordinal);

        Assert.True(_parser.Parse(Encoding.UTF8.GetBytes(json)).IsSuccess);
    }
}
