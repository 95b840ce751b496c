using Notifier.Notifications.Events;

namespace Notifier.Notifications.Tests.Rendering;

/// <summary>Puts one piece of text into every user-controlled field of every event type.</summary>
internal static class HostileEvents
{
    public static IEnumerable<NotificationEvent> WithEverywhere(string text)
    {
        var user = new User(text, text, "someone@example.com");
        var repository = new Repository { ProjectKey = text, Slug = text, Name = text, ProjectName = text };
        var comment = new Comment
        {
            Id = 1,
            Text = text,
            Author = user,
            Path = text,
            PreviousText = text,
            Parent = new Comment { Id = 2, Text = text, Author = user },
        };
        var pr = TestEvents.RetryBudget() with
        {
            Title = text,
            Description = text,
            Author = user,
            Source = new BranchRef(text, text, repository),
            Target = new BranchRef(text, text),
            State = text,
            Reviewers = [new Participant(user, ReviewStatus.Approved)],
        };
        var commit = new Commit { Id = text, Message = text, Author = user };

        foreach (var e in TestEvents.All.Values)
        {
            yield return e with
            {
                Actor = user,
                Repository = e.Repository is null ? null : repository,
                PullRequest = e.PullRequest is null ? null : pr,
                Comment = e.Comment is null ? null : comment,
                Commit = e.Commit is null ? null : commit,
                Origin = e.Origin is null ? null : repository,
                Push = e.Push is null ? null : new Push
                {
                    Changes = [new RefChange(text, text, text, text, text), new RefChange(text, text, "ADD", null, text)],
                    CommitCount = 2,
                    Commits = [commit],
                },
                Changes = new EventChanges
                {
                    PreviousTitle = text,
                    PreviousDescription = text,
                    PreviousTarget = new BranchRef(text),
                    PreviousRepository = repository,
                    AddedReviewers = [user],
                    RemovedReviewers = [user],
                },
                Account = e.Account is null ? null : e.Account with { User = user },
            };
        }
    }
}
