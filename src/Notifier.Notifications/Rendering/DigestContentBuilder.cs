using System.Globalization;
using Notifier.Notifications.Events;

namespace Notifier.Notifications.Rendering;

/// <summary>
/// What a digest says: how many updates, then every item in the order it happened, each with its time, its
/// headline linked to the comment or pull request, and its own sections (the comment through the same safe
/// markdown, what changed). Items that undo earlier ones (approved, then unapproved) are all listed, in order,
/// because each was a real step. The facts show the thread's latest state.
/// </summary>
internal sealed class DigestContentBuilder(EventContentBuilder single)
{
    /// <summary>The <c>X-Notifier-Event</c> value of a digest of several events.</summary>
    public const string EventHeader = "digest";

    /// <param name="events">Two or more events about one thread, oldest first.</param>
    public EmailContent Build(IReadOnlyList<NotificationEvent> events)
    {
        var latest = events[^1];
        var latestContent = single.Build(latest);
        var repo = ContentText.RepoName(latest.Repository);
        var count = events.Count.ToString(CultureInfo.InvariantCulture);
        var pullRequest = latest.PullRequest;

        var blocks = new List<ContentBlock>();
        foreach (var item in events)
        {
            var content = ReferenceEquals(item, latest) ? latestContent : single.Build(item);
            blocks.Add(new ItemListBlock(ContentText.When(item.Time), [new ListItem(null, content.Headline, content.Action?.Href)]));
            blocks.AddRange(content.Blocks);
        }

        // The latest state of the pull request; the time and file of one event do not describe the digest.
        var facts = latestContent.Facts.Where(f => f.Label is not ("When" or "File" or "Latest commit")).ToList();
        facts.Add(new Fact("Updates", [$"{count}, {ContentText.When(events[0].Time)} to {ContentText.When(latest.Time)}"]));

        return pullRequest is not null && latestContent.Kind == SubjectKind.PullRequest
            ? new EmailContent
            {
                Subject = PullRequestContent.Subject(repo, pullRequest.Id, TextLimit.OneLine(pullRequest.Title, ContentLimits.Title)),
                IsReply = true,
                Context = repo,
                Headline = $"{count} updates on pull request #{pullRequest.Id.ToString(CultureInfo.InvariantCulture)} in {repo}.",
                Title = latestContent.Title,
                Facts = facts,
                Blocks = blocks,
                Action = SafeLink.Http(pullRequest.Url) is { } href ? new ContentLink("View the pull request", href) : latestContent.Action,
                Kind = SubjectKind.PullRequest,
            }
            : new EmailContent
            {
                Subject = $"[{repo}] {count} updates",
                Context = repo,
                Headline = $"{count} updates in {repo}.",
                Title = ContentText.RepoName(latest.Repository),
                Facts = [new Fact("Updates", [$"{count}, {ContentText.When(events[0].Time)} to {ContentText.When(latest.Time)}"])],
                Blocks = blocks,
                Action = SafeLink.Http(latest.Repository?.Url) is { } repoHref ? new ContentLink("View the repository", repoHref) : null,
                Kind = SubjectKind.Repository,
            };
    }
}
