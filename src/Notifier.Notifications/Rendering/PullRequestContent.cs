using System.Globalization;
using Notifier.Notifications.Events;
using static Notifier.Notifications.Rendering.ContentText;

namespace Notifier.Notifications.Rendering;

/// <summary>
/// What a pull-request email says: the headline per activity, the branches, author, reviewers and state, and
/// the activity's own sections (description, what changed, reviewer changes, the comment).
/// </summary>
internal static class PullRequestContent
{
    public static EmailContent Build(NotificationEvent e, PullRequest pr)
    {
        var actor = Name(e.Actor);
        var repo = RepoName(e.Repository);
        var number = $"#{pr.Id.ToString(CultureInfo.InvariantCulture)}";
        var title = TextLimit.OneLine(pr.Title, ContentLimits.Title);
        var comment = e.Comment;
        var target = TextLimit.OneLine(pr.Target.Name);

        var headline = e.Type switch
        {
            EventTypes.PullRequestOpened => $"{actor} opened pull request {number} in {repo}.",
            EventTypes.PullRequestUpdated => $"{actor} pushed new commits to pull request {number}.",
            EventTypes.PullRequestModified => $"{actor} edited pull request {number}.",
            EventTypes.PullRequestReviewersUpdated => $"{actor} changed the reviewers of pull request {number}.",
            EventTypes.PullRequestApproved => $"{actor} approved pull request {number}.",
            EventTypes.PullRequestUnapproved => $"{actor} withdrew their approval of pull request {number}.",
            EventTypes.PullRequestNeedsWork => $"{actor} marked pull request {number} as needing work.",
            EventTypes.PullRequestMerged => $"{actor} merged pull request {number} into {target}.",
            EventTypes.PullRequestDeclined => $"{actor} declined pull request {number}.",
            EventTypes.PullRequestReopened => $"{actor} reopened pull request {number}.",
            EventTypes.PullRequestDeleted => $"{actor} deleted pull request {number}.",
            EventTypes.PullRequestCommentAdded or EventTypes.PullRequestCommentReplied when comment?.Parent is { } parent => $"{actor} replied to {Name(parent.Author)} on pull request {number}.",
            EventTypes.PullRequestCommentAdded => $"{actor} commented on pull request {number}.",
            EventTypes.PullRequestCommentEdited => $"{actor} edited a comment on pull request {number}.",
            EventTypes.PullRequestCommentReplied => $"{actor} replied to a comment on pull request {number}.",
            EventTypes.PullRequestDraftOpened => $"{actor} opened draft pull request {number} in {repo}.",
            EventTypes.PullRequestReadyForReview => $"{actor} marked pull request {number} in {repo} as ready for review.",
            EventTypes.PullRequestConvertedToDraft => $"{actor} converted pull request {number} back to a draft.",
            EventTypes.PullRequestAutoMergeRequested => $"{actor} set pull request {number} to merge into {target} by itself once its merge checks pass.",
            EventTypes.PullRequestAutoMergeCancelled => $"{actor} cancelled the automatic merge of pull request {number}.",
            _ => $"{actor} updated pull request {number} ({TextLimit.OneLine(e.Type, ContentLimits.EventType)}).",
        };

        var facts = new List<Fact>
        {
            new("From", [BranchLabel(pr.Source, e.Repository)]),
            new("Into", [BranchLabel(pr.Target, e.Repository)]),
            new("Author", [Name(pr.Author)]),
        };
        if (pr.Reviewers.Count > 0)
        {
            facts.Add(new Fact("Reviewers", [.. pr.Reviewers.Select(r => $"{Name(r.User)} ({StatusText(r.Status)})")]));
        }

        if (e.Type == EventTypes.PullRequestUpdated && !string.IsNullOrWhiteSpace(pr.Source.LatestCommit))
        {
            facts.Add(new Fact("Latest commit", [ShortHash(pr.Source.LatestCommit)]));
        }

        if (!string.Equals(pr.State, "OPEN", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(pr.State))
        {
            facts.Add(new Fact("State", [TextLimit.OneLine(pr.State, ContentLimits.State).ToLowerInvariant()]));
        }

        facts.Add(new Fact("When", [When(e.Time)]));

        var blocks = new List<ContentBlock>();
        switch (e.Type)
        {
            case EventTypes.PullRequestOpened or EventTypes.PullRequestReadyForReview when !string.IsNullOrWhiteSpace(pr.Description):
                blocks.Add(Markdown("Description", pr.Description, quoted: false, "the pull request"));
                break;
            case EventTypes.PullRequestDraftOpened:
                blocks.Add(new NoticeBlock("Draft", ["Its reviewers are not told yet: they get an email when it is marked ready for review."]));
                if (!string.IsNullOrWhiteSpace(pr.Description))
                {
                    blocks.Add(Markdown("Description", pr.Description, quoted: false, "the pull request"));
                }

                break;
            case EventTypes.PullRequestConvertedToDraft:
                blocks.Add(new NoticeBlock("Draft", ["It is a work in progress again: no review is needed until it is marked ready for review."]));
                break;
            case EventTypes.PullRequestModified:
                AddModifications(e.Changes, pr, blocks);
                break;
            case EventTypes.PullRequestReviewersUpdated:
                AddReviewerChanges(e.Changes, blocks);
                break;
            case EventTypes.PullRequestCommentAdded or EventTypes.PullRequestCommentReplied or EventTypes.PullRequestCommentEdited when comment is not null:
                CommentContent.Add(e.Type == EventTypes.PullRequestCommentEdited, comment, facts, blocks);
                break;
        }

        var commentLink = e.Type is EventTypes.PullRequestCommentAdded or EventTypes.PullRequestCommentReplied or EventTypes.PullRequestCommentEdited
            ? Link("View the comment", comment?.Url)
            : null;
        var action = e.Type == EventTypes.PullRequestDeleted
            ? Link("View the repository", e.Repository?.Url)
            : commentLink ?? Link("View the pull request", pr.Url);

        return new EmailContent
        {
            Subject = Subject(repo, pr.Id, title),
            // The first email its readers get about the pull request: a draft's reviewers hear of it when it is ready.
            IsReply = e.Type is not (EventTypes.PullRequestOpened or EventTypes.PullRequestDraftOpened or EventTypes.PullRequestReadyForReview),
            Context = repo,
            Headline = headline,
            Title = title,
            Facts = facts,
            Blocks = blocks,
            Action = action,
            Kind = SubjectKind.PullRequest,
        };
    }

    /// <summary>
    /// One subject per pull request, whatever happened: Gmail joins a conversation only when the subjects
    /// match, so what happened goes in the first line of the body instead. Digests use it too.
    /// </summary>
    public static string Subject(string repo, long id, string title) =>
        $"[{repo}] {SubjectTitle(title)} (PR #{id.ToString(CultureInfo.InvariantCulture)})";

    private static void AddModifications(EventChanges? changes, PullRequest pr, List<ContentBlock> blocks)
    {
        // Bitbucket sends the previous title, description and target on every modification, changed or not:
        // only what differs is listed.
        var items = new List<ListItem>();
        if (changes?.PreviousTitle is { } previousTitle && previousTitle != pr.Title)
        {
            items.Add(new ListItem(null, $"Title changed from “{TextLimit.OneLine(previousTitle)}” to “{TextLimit.OneLine(pr.Title)}”"));
        }

        if (changes?.PreviousTarget is { } previousTarget && previousTarget.Name != pr.Target.Name)
        {
            items.Add(new ListItem(null, $"Target branch changed from {TextLimit.OneLine(previousTarget.Name)} to {TextLimit.OneLine(pr.Target.Name)}"));
        }

        var previousDescription = changes?.PreviousDescription;
        var descriptionChanged = previousDescription is not null
            && previousDescription.Trim() != (pr.Description ?? string.Empty).Trim();
        if (descriptionChanged)
        {
            items.Add(new ListItem(null, "Description changed"));
        }

        if (items.Count == 0)
        {
            items.Add(new ListItem(null, "Details changed"));
        }

        blocks.Add(new ItemListBlock("What changed", items));
        if (descriptionChanged)
        {
            if (!string.IsNullOrWhiteSpace(pr.Description))
            {
                blocks.Add(Markdown("Description", pr.Description, quoted: false, "the pull request"));
            }

            if (!string.IsNullOrWhiteSpace(previousDescription))
            {
                blocks.Add(Markdown("Previous description", previousDescription, quoted: true, "the pull request"));
            }
        }
    }

    private static void AddReviewerChanges(EventChanges? changes, List<ContentBlock> blocks)
    {
        var items = new List<ListItem>();
        foreach (var user in changes?.AddedReviewers ?? [])
        {
            items.Add(new ListItem(null, $"Added {Name(user)}"));
        }

        foreach (var user in changes?.RemovedReviewers ?? [])
        {
            items.Add(new ListItem(null, $"Removed {Name(user)}"));
        }

        if (items.Count > 0)
        {
            blocks.Add(new ItemListBlock("Reviewer changes", items));
        }
    }

    private static string StatusText(ReviewStatus status) => status switch
    {
        ReviewStatus.Approved => "approved",
        ReviewStatus.NeedsWork => "needs work",
        _ => "not yet approved",
    };
}
