using Notifier.Notifications.Events;
using static Notifier.Notifications.Rendering.ContentText;

namespace Notifier.Notifications.Rendering;

/// <summary>What an email about a comment on a commit says: the commit, its author, and the comment.</summary>
internal static class CommitDiscussionContent
{
    public static EmailContent Build(NotificationEvent e)
    {
        var actor = Name(e.Actor);
        var repo = RepoName(e.Repository);
        var commit = e.Commit;
        var shortId = commit is null ? "(unknown)" : ShortHash(commit.Id);
        var summary = TextLimit.FirstLine(commit?.Message);
        var comment = e.Comment;
        var edited = e.Type == EventTypes.CommitCommentEdited;
        var parent = comment?.Parent;

        var headline = edited
            ? $"{actor} edited a comment on commit {shortId} in {repo}."
            : parent is not null
                ? $"{actor} replied to {Name(parent.Author)} on commit {shortId} in {repo}."
                : $"{actor} commented on commit {shortId} in {repo}.";

        var facts = new List<Fact> { new("Commit", [commit?.Id is { Length: > 0 } id ? TextLimit.OneLine(id, ContentLimits.CommitId) : shortId]) };
        if (commit?.Author is { } author)
        {
            facts.Add(new Fact("Author", [Name(author)]));
        }

        facts.Add(new Fact("When", [When(e.Time)]));
        var blocks = new List<ContentBlock>();
        if (comment is not null)
        {
            CommentContent.Add(edited, comment, facts, blocks);
        }

        return new EmailContent
        {
            Subject = summary.Length > 0 ? $"[{repo}] {SubjectTitle(summary)} (commit {shortId})" : $"[{repo}] Commit {shortId}",
            IsReply = edited || parent is not null,
            Context = repo,
            Headline = headline,
            Title = summary,
            Facts = facts,
            Blocks = blocks,
            Action = Link("View the comment", comment?.Url) ?? Link("View the commit", commit?.Url),
            Kind = SubjectKind.Commit,
        };
    }
}
