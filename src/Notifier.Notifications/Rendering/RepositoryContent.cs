using System.Globalization;
using Notifier.Notifications.Events;
using static Notifier.Notifications.Rendering.ContentText;

namespace Notifier.Notifications.Rendering;

/// <summary>
/// What a repository email says: a push (refs and commits), a fork, a rename or settings change, a deletion,
/// and the plain sentence for an event type this version has no words for.
/// </summary>
internal static class RepositoryContent
{
    public static EmailContent Pushed(NotificationEvent e)
    {
        var actor = Name(e.Actor);
        var repo = RepoName(e.Repository);
        var changes = e.Push?.Changes ?? [];
        var count = e.Push?.CommitCount;

        var refs = changes.Count switch
        {
            0 => "Push",
            1 => $"Push to {TextLimit.OneLine(changes[0].DisplayId, ContentLimits.RefName)}",
            _ => $"Push to {TextLimit.OneLine(changes[0].DisplayId, ContentLimits.RefName)} and {(changes.Count - 1).ToString(CultureInfo.InvariantCulture)} more",
        };
        var what = count is { } n ? Commits(n) : changes.Count == 1 ? RefVerb(changes[0]) : $"{changes.Count.ToString(CultureInfo.InvariantCulture)} refs changed";

        var facts = new List<Fact>();
        if (count is { } total)
        {
            facts.Add(new Fact("Commits", [total.ToString(CultureInfo.InvariantCulture)]));
        }

        facts.Add(new Fact("When", [When(e.Time)]));

        var blocks = new List<ContentBlock>();
        if (changes.Count > 0)
        {
            blocks.Add(new ItemListBlock("Refs", [.. changes.Select(RefItem)]));
        }

        var commits = e.Push?.Commits ?? [];
        if (commits.Count > 0)
        {
            var items = commits.Take(ContentLimits.ListedCommits)
                .Select(c => new ListItem(ShortHash(c.Id), CommitLine(c), SafeLink.Http(c.Url)))
                .ToList();
            if (commits.Count > ContentLimits.ListedCommits)
            {
                items.Add(new ListItem(null, $"… and {(commits.Count - ContentLimits.ListedCommits).ToString(CultureInfo.InvariantCulture)} more"));
            }

            blocks.Add(new ItemListBlock("Commits", items));
        }

        return new EmailContent
        {
            Subject = $"[{repo}] {refs}: {what} (pushed by {actor})",
            Context = repo,
            Headline = $"{actor} pushed to {repo}.",
            Title = count is null ? string.Empty : $"{what} pushed",
            Facts = facts,
            Blocks = blocks,
            Action = Link("View the repository", e.Repository?.Url),
            Kind = SubjectKind.Repository,
        };
    }

    public static EmailContent Forked(NotificationEvent e)
    {
        var actor = Name(e.Actor);
        var fork = RepoName(e.Repository);
        var origin = e.Origin is null ? fork : RepoName(e.Origin);
        var facts = new List<Fact>
        {
            new("Fork", [RepoLabel(e.Repository)]),
            new("Forked from", [RepoLabel(e.Origin)]),
            new("When", [When(e.Time)]),
        };

        return new EmailContent
        {
            Subject = $"[{origin}] Repository forked to {fork} (forked by {actor})",
            Context = origin,
            Headline = $"{actor} forked {origin} to {fork}.",
            Title = fork,
            Facts = facts,
            Action = Link("View the fork", e.Repository?.Url),
            Kind = SubjectKind.Repository,
        };
    }

    public static EmailContent Modified(NotificationEvent e)
    {
        var actor = Name(e.Actor);
        var repo = RepoName(e.Repository);
        var previous = e.Changes?.PreviousRepository;
        var items = new List<ListItem>();
        if (previous is not null && e.Repository is not null)
        {
            if (RepoName(previous) != repo)
            {
                items.Add(new ListItem(null, $"Moved or renamed from {RepoName(previous)} to {repo}"));
            }

            if (!string.Equals(previous.Name, e.Repository.Name, StringComparison.Ordinal) && previous.Name is not null)
            {
                items.Add(new ListItem(null, $"Name changed from “{TextLimit.OneLine(previous.Name)}” to “{TextLimit.OneLine(e.Repository.Name)}”"));
            }
        }

        if (items.Count == 0)
        {
            items.Add(new ListItem(null, "Settings changed"));
        }

        var what = previous is not null && RepoName(previous) != repo ? $"renamed from {RepoName(previous)}" : "settings changed";
        return new EmailContent
        {
            Subject = $"[{repo}] Repository {what} (modified by {actor})",
            Context = repo,
            Headline = $"{actor} changed the repository {repo}.",
            Title = RepoLabel(e.Repository),
            Facts = [new("When", [When(e.Time)])],
            Blocks = [new ItemListBlock("What changed", items)],
            Action = Link("View the repository", e.Repository?.Url),
            Kind = SubjectKind.Repository,
        };
    }

    public static EmailContent Deleted(NotificationEvent e)
    {
        var actor = Name(e.Actor);
        var repo = RepoName(e.Repository);
        return new EmailContent
        {
            Subject = $"[{repo}] Repository {TextLimit.OneLine(e.Repository?.Name ?? e.Repository?.Slug, ContentLimits.Name)} (deleted by {actor})",
            Context = repo,
            Headline = $"{actor} deleted the repository {repo}.",
            Title = RepoLabel(e.Repository),
            Facts = [new("When", [When(e.Time)])],
            Blocks = [new NoticeBlock("What this means", ["The repository, its pull requests and their discussions are gone from the site. You will get no more email about it."])],
            Action = null,
            Kind = SubjectKind.Repository,
        };
    }

    /// <summary>An event type without its own words (a newer producer): who did what, where, and when.</summary>
    public static EmailContent Other(NotificationEvent e)
    {
        var actor = Name(e.Actor);
        var repo = RepoName(e.Repository);
        var type = TextLimit.OneLine(e.Type, ContentLimits.EventType);
        return new EmailContent
        {
            Subject = $"[{repo}] {type} (by {actor})",
            Context = repo,
            Headline = $"{actor} caused {type} in {repo}.",
            Facts = [new("When", [When(e.Time)])],
            Action = Link("View the repository", e.Repository?.Url),
            Kind = SubjectKind.Repository,
        };
    }

    private static ListItem RefItem(RefChange change)
    {
        var name = TextLimit.OneLine(change.DisplayId, ContentLimits.RefName);
        var text = (change.Type ?? string.Empty).ToUpperInvariant() switch
        {
            "ADD" => $"{name}: created at {ShortHash(change.ToHash)}",
            "DELETE" => $"{name}: deleted (was {ShortHash(change.FromHash)})",
            _ => $"{name}: {ShortHash(change.FromHash)} → {ShortHash(change.ToHash)}",
        };
        return new ListItem(null, text);
    }

    private static string RefVerb(RefChange change) => (change.Type ?? string.Empty).ToUpperInvariant() switch
    {
        "ADD" => "created",
        "DELETE" => "deleted",
        _ => "updated",
    };

    private static string CommitLine(Commit commit)
    {
        var line = TextLimit.FirstLine(commit.Message);
        return commit.Author is null ? line : $"{line} ({Name(commit.Author)})";
    }

    private static string Commits(int n) => n == 1 ? "1 commit" : $"{n.ToString(CultureInfo.InvariantCulture)} commits";
}
