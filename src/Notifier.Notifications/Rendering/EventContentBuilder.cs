using System.Globalization;
using Notifier.Notifications.Events;

namespace Notifier.Notifications.Rendering;

/// <summary>
/// Says what happened, per event type: the subject, the headline sentence (what and who), the facts a reader
/// needs (title, branches, reviewers, commits) and the link to the thing on the site. Everything here is plain
/// text; the writers escape it. Missing optional parts degrade to less context, never to an exception.
/// </summary>
internal sealed class EventContentBuilder(TimeProvider timeProvider, Uri? siteUrl)
{
    private const int MaxSubjectTitle = 120;
    private const int MaxListedCommits = 20;

    public EmailContent Build(NotificationEvent e) => e.Type switch
    {
        EventTypes.CommitCommentAdded or EventTypes.CommitCommentEdited => CommitComment(e),
        EventTypes.RepositoryPushed => Pushed(e),
        EventTypes.RepositoryForked => Forked(e),
        EventTypes.RepositoryModified => RepositoryModified(e),
        EventTypes.RepositoryDeleted => RepositoryDeleted(e),
        EventTypes.AccountCreated or EventTypes.AccountPasswordReset => AccountMail(e),
        _ when e.PullRequest is not null => PullRequestMail(e, e.PullRequest),
        _ => Generic(e),
    };

    private static EmailContent PullRequestMail(NotificationEvent e, PullRequest pr)
    {
        var actor = Name(e.Actor);
        var repo = RepoName(e.Repository);
        var number = $"#{pr.Id.ToString(CultureInfo.InvariantCulture)}";
        var title = TextLimit.OneLine(pr.Title, 300);
        var comment = e.Comment;
        var isReply = comment?.Parent is not null;
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
            EventTypes.PullRequestCommentAdded when isReply => $"{actor} replied to {Name(comment!.Parent!.Author)} on pull request {number}.",
            EventTypes.PullRequestCommentAdded => $"{actor} commented on pull request {number}.",
            EventTypes.PullRequestCommentEdited => $"{actor} edited a comment on pull request {number}.",
            _ => $"{actor} updated pull request {number} ({TextLimit.OneLine(e.Type, 60)}).",
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
            facts.Add(new Fact("State", [TextLimit.OneLine(pr.State, 40).ToLowerInvariant()]));
        }

        facts.Add(new Fact("When", [When(e.Time)]));

        var blocks = new List<ContentBlock>();
        switch (e.Type)
        {
            case EventTypes.PullRequestOpened when !string.IsNullOrWhiteSpace(pr.Description):
                blocks.Add(Markdown("Description", pr.Description, quoted: false, "the pull request"));
                break;
            case EventTypes.PullRequestModified:
                AddModifications(e.Changes, pr, blocks);
                break;
            case EventTypes.PullRequestReviewersUpdated:
                AddReviewerChanges(e.Changes, blocks);
                break;
            case EventTypes.PullRequestCommentAdded or EventTypes.PullRequestCommentEdited when comment is not null:
                AddComment(e.Type == EventTypes.PullRequestCommentEdited, comment, facts, blocks);
                break;
        }

        var isComment = comment is not null && e.Type is EventTypes.PullRequestCommentAdded or EventTypes.PullRequestCommentEdited;
        var action = e.Type == EventTypes.PullRequestDeleted
            ? Link("View the repository", e.Repository?.Url)
            : isComment
                ? Link("View the comment", comment!.Url) ?? Link("View the pull request", pr.Url)
                : Link("View the pull request", pr.Url);

        return new EmailContent
        {
            Subject = PullRequestSubject(repo, pr.Id, title),
            IsReply = e.Type != EventTypes.PullRequestOpened,
            Context = repo,
            Headline = headline,
            Title = title,
            Facts = facts,
            Blocks = blocks,
            Action = action,
            Kind = SubjectKind.PullRequest,
        };
    }

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

        var descriptionChanged = changes?.PreviousDescription is { } previousDescription
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

            if (!string.IsNullOrWhiteSpace(changes!.PreviousDescription))
            {
                blocks.Add(Markdown("Previous description", changes.PreviousDescription, quoted: true, "the pull request"));
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

    private static void AddComment(bool edited, Comment comment, List<Fact> facts, List<ContentBlock> blocks)
    {
        if (!string.IsNullOrWhiteSpace(comment.Path))
        {
            var line = comment.Line is { } n ? $", line {n.ToString(CultureInfo.InvariantCulture)}" : string.Empty;
            facts.Insert(facts.Count - 1, new Fact("File", [$"{TextLimit.OneLine(comment.Path)}{line}"]));
        }

        if (comment.Parent is { } parent)
        {
            blocks.Add(Markdown($"In reply to {Name(parent.Author)}", parent.Text, quoted: true, "the comment"));
        }

        var heading = edited ? $"{Name(comment.Author)}’s comment, as edited" : $"{Name(comment.Author)} wrote";
        blocks.Add(Markdown(heading, comment.Text, quoted: false, "the comment"));
        if (edited && !string.IsNullOrWhiteSpace(comment.PreviousText))
        {
            blocks.Add(Markdown("Before the edit", comment.PreviousText, quoted: true, "the comment"));
        }
    }

    private static EmailContent CommitComment(NotificationEvent e)
    {
        var actor = Name(e.Actor);
        var repo = RepoName(e.Repository);
        var commit = e.Commit;
        var shortId = commit is null ? "(unknown)" : ShortHash(commit.Id);
        var summary = TextLimit.FirstLine(commit?.Message);
        var comment = e.Comment;
        var edited = e.Type == EventTypes.CommitCommentEdited;
        var isReply = comment?.Parent is not null;

        var headline = edited
            ? $"{actor} edited a comment on commit {shortId} in {repo}."
            : isReply
                ? $"{actor} replied to {Name(comment!.Parent!.Author)} on commit {shortId} in {repo}."
                : $"{actor} commented on commit {shortId} in {repo}.";

        var facts = new List<Fact> { new("Commit", [commit?.Id is { Length: > 0 } id ? TextLimit.OneLine(id, 64) : shortId]) };
        if (commit?.Author is { } author)
        {
            facts.Add(new Fact("Author", [Name(author)]));
        }

        facts.Add(new Fact("When", [When(e.Time)]));
        var blocks = new List<ContentBlock>();
        if (comment is not null)
        {
            AddComment(edited, comment, facts, blocks);
        }

        return new EmailContent
        {
            Subject = summary.Length > 0 ? $"[{repo}] {SubjectTitle(summary)} (commit {shortId})" : $"[{repo}] Commit {shortId}",
            IsReply = edited || isReply,
            Context = repo,
            Headline = headline,
            Title = summary,
            Facts = facts,
            Blocks = blocks,
            Action = Link("View the comment", comment?.Url) ?? Link("View the commit", commit?.Url),
            Kind = SubjectKind.Commit,
        };
    }

    private static EmailContent Pushed(NotificationEvent e)
    {
        var actor = Name(e.Actor);
        var repo = RepoName(e.Repository);
        var changes = e.Push?.Changes ?? [];
        var count = e.Push?.CommitCount;

        var refs = changes.Count switch
        {
            0 => "Push",
            1 => $"Push to {TextLimit.OneLine(changes[0].DisplayId, 100)}",
            _ => $"Push to {TextLimit.OneLine(changes[0].DisplayId, 100)} and {(changes.Count - 1).ToString(CultureInfo.InvariantCulture)} more",
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
            var items = commits.Take(MaxListedCommits)
                .Select(c => new ListItem(ShortHash(c.Id), CommitLine(c), SafeLink.Http(c.Url)))
                .ToList();
            if (commits.Count > MaxListedCommits)
            {
                items.Add(new ListItem(null, $"… and {(commits.Count - MaxListedCommits).ToString(CultureInfo.InvariantCulture)} more"));
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

    private static EmailContent Forked(NotificationEvent e)
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

    private static EmailContent RepositoryModified(NotificationEvent e)
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

    private static EmailContent RepositoryDeleted(NotificationEvent e)
    {
        var actor = Name(e.Actor);
        var repo = RepoName(e.Repository);
        return new EmailContent
        {
            Subject = $"[{repo}] Repository {TextLimit.OneLine(e.Repository?.Name ?? e.Repository?.Slug, 100)} (deleted by {actor})",
            Context = repo,
            Headline = $"{actor} deleted the repository {repo}.",
            Title = RepoLabel(e.Repository),
            Facts = [new("When", [When(e.Time)])],
            Blocks = [new NoticeBlock("What this means", ["The repository, its pull requests and their discussions are gone from the site. You will get no more email about it."])],
            Action = null,
            Kind = SubjectKind.Repository,
        };
    }

    private EmailContent AccountMail(NotificationEvent e)
    {
        var account = e.Account;
        var user = account?.User ?? e.Actor;
        var userName = TextLimit.OneLine(user.Name, 100);
        var site = SiteName(account?.Link);
        var created = e.Type == EventTypes.AccountCreated;
        var expiry = account?.ExpiresAt is { } expires ? $"{When(expires)} ({Relative(expires)})" : null;

        var paragraphs = new List<string>();
        if (created)
        {
            paragraphs.Add($"An account with the user name {userName} was created for you on {site}. Choose a password with the link below to start using it.");
        }
        else
        {
            paragraphs.Add($"Someone asked to reset the password of the account {userName} on {site}. Choose a new password with the link below.");
        }

        paragraphs.Add(expiry is null
            ? "The link works once."
            : $"The link works once and expires on {expiry}.");

        var warning = created
            ? "If you did not expect an account on this site, ignore this email: no password is set until the link is used, and the link stops working when it expires."
            : "If you did not ask for this, ignore this email: your password stays as it is. If you get these emails often without asking, tell your administrator.";

        var facts = new List<Fact> { new("User name", [userName]) };
        if (expiry is not null)
        {
            facts.Add(new Fact("Link expires", [expiry]));
        }

        return new EmailContent
        {
            Subject = created ? $"Your new account {userName} on {site}: set your password" : $"Password reset for {userName} on {site}",
            Context = site,
            Headline = created ? $"Welcome, {Name(user)}." : $"Reset your password, {Name(user)}.",
            Title = created ? "Set your password" : "Reset your password",
            Facts = facts,
            Blocks = [new NoticeBlock(string.Empty, paragraphs), new NoticeBlock(created ? "Not expecting this?" : "Did not ask for this?", [warning])],
            Action = Link(created ? "Set your password" : "Reset your password", account?.Link),
            Kind = SubjectKind.Account,
        };
    }

    private static EmailContent Generic(NotificationEvent e)
    {
        var actor = Name(e.Actor);
        var repo = RepoName(e.Repository);
        var type = TextLimit.OneLine(e.Type, 60);
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

    private static MarkdownBlock Markdown(string heading, string? markdown, bool quoted, string what)
    {
        var text = TextLimit.CutMarkdown(TextLimit.CleanBody(markdown), out var truncated);
        return new MarkdownBlock(heading, text, quoted, truncated ? $"… (truncated, see {what})" : null);
    }

    private static ContentLink? Link(string label, Uri? uri) =>
        SafeLink.Http(uri) is { } href ? new ContentLink(label, href) : null;

    private static ListItem RefItem(RefChange change)
    {
        var name = TextLimit.OneLine(change.DisplayId, 100);
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

    private static string ShortHash(string? hash) =>
        string.IsNullOrWhiteSpace(hash) ? "(none)" : TextLimit.OneLine(hash.Length > 11 ? hash[..11] : hash, 11);

    private static string StatusText(ReviewStatus status) => status switch
    {
        ReviewStatus.Approved => "approved",
        ReviewStatus.NeedsWork => "needs work",
        _ => "not yet approved",
    };

    private static string SubjectTitle(string title) => HeaderText.Clean(title, MaxSubjectTitle);

    /// <summary>
    /// One subject per pull request, whatever happened: Gmail joins a conversation only when the subjects
    /// match, so what happened goes in the first line of the body instead. Digests use it too.
    /// </summary>
    internal static string PullRequestSubject(string repo, long id, string title) =>
        $"[{repo}] {SubjectTitle(title)} (PR #{id.ToString(CultureInfo.InvariantCulture)})";

    private static string Name(User? user) => user is null ? "Someone" : TextLimit.OneLine(user.Label, 100) is { Length: > 0 } label ? label : "Someone";

    internal static string RepoName(Repository? repository) =>
        repository is null ? "unknown repository" : TextLimit.OneLine(repository.FullName, 200);

    private static string RepoLabel(Repository? repository) =>
        repository is null
            ? "unknown repository"
            : string.IsNullOrWhiteSpace(repository.Name) || repository.Name == repository.Slug
                ? RepoName(repository)
                : $"{TextLimit.OneLine(repository.Name, 100)} ({RepoName(repository)})";

    private static string BranchLabel(BranchRef branch, Repository? repository)
    {
        var name = TextLimit.OneLine(branch.Name, 200);
        return branch.Repository is { } own && repository is not null && RepoName(own) != RepoName(repository)
            ? $"{RepoName(own)}:{name}"
            : name;
    }

    private string SiteName(Uri? link)
    {
        var host = siteUrl?.IdnHost ?? (link is { IsAbsoluteUri: true } ? link.IdnHost : null);
        return string.IsNullOrEmpty(host) ? "the site" : TextLimit.OneLine(host, 100);
    }

    internal static string When(DateTimeOffset time) =>
        time.UtcDateTime.ToString("ddd d MMM yyyy, HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private string Relative(DateTimeOffset time)
    {
        var left = time - timeProvider.GetUtcNow();
        if (left <= TimeSpan.Zero)
        {
            return "already expired";
        }

        return left switch
        {
            { TotalMinutes: < 1 } => "in less than a minute",
            { TotalMinutes: < 90 } => $"in {Plural((int)Math.Round(left.TotalMinutes), "minute")}",
            { TotalHours: < 48 } => $"in {Plural((int)Math.Round(left.TotalHours), "hour")}",
            _ => $"in {Plural((int)Math.Round(left.TotalDays), "day")}",
        };
    }

    private static string Plural(int n, string unit) =>
        $"{n.ToString(CultureInfo.InvariantCulture)} {unit}{(n == 1 ? string.Empty : "s")}";
}
