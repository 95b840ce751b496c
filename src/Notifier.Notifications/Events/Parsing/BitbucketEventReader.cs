using System.Globalization;
using System.Text.Json;
using static Notifier.Notifications.Events.Parsing.JsonFields;

namespace Notifier.Notifications.Events.Parsing;

/// <summary>
/// Maps a Bitbucket Data Center webhook body onto a canonical event. Bitbucket's own quirks are accepted:
/// offsets without a colon, epoch-millisecond dates, users without <c>emailAddress</c>, descriptions left
/// out when empty, <c>links.self</c> of <c>[null]</c>. Required parts missing are errors named by their
/// Bitbucket path (<c>pullRequest.toRef.repository.slug: required string</c>).
/// </summary>
internal static class BitbucketEventReader
{
    private const string NullHash = "0000000000000000000000000000000000000000";

    public static NotificationEvent Read(JsonElement root, string eventKey, string type, string id)
    {
        var notificationEvent = new NotificationEvent
        {
            Type = type,
            Id = id,
            Time = EventDates.RequiredBitbucket(root, "", "date"),
            Actor = ReadUser(RequiredObject(root, "", "actor"), "actor"),

            // Bitbucket sends no recipients; a relay may add them (e.g. the repository's watchers, as Bitbucket's
            // REST API returns them) because repository events have no roles to derive recipients from.
            Recipients = OptionalArray(root, "", "recipients", out var recipients, nullIsAbsent: true) ? ReadUsers(recipients, "", "recipients") : null,
        };

        return eventKey switch
        {
            _ when eventKey.StartsWith("pr:", StringComparison.Ordinal) => ReadPullRequestEvent(root, eventKey, notificationEvent),
            "repo:comment:added" or "repo:comment:edited" or "repo:comment:deleted" => ReadCommitComment(root, notificationEvent),
            "repo:refs_changed" => ReadPush(root, notificationEvent),
            "repo:forked" => ReadFork(root, notificationEvent),
            "repo:modified" => ReadRepositoryModified(root, notificationEvent),
            _ => throw new EventFormatException("eventKey", $"Bitbucket event {eventKey} has no notification"),
        };
    }

    private static NotificationEvent ReadPullRequestEvent(JsonElement root, string eventKey, NotificationEvent e)
    {
        var pullRequestElement = RequiredObject(root, "", "pullRequest");
        var pullRequest = ReadPullRequest(pullRequestElement, "pullRequest", out var repository);
        var comment = eventKey.StartsWith("pr:comment:", StringComparison.Ordinal)
            ? ReadComment(RequiredObject(root, "", "comment"), "comment", root, CommentUrl(pullRequest.Url, "/overview?commentId="))
            : null;
        var changes = eventKey switch
        {
            "pr:modified" => new EventChanges
            {
                PreviousTitle = OptionalString(root, "", "previousTitle"),
                PreviousDescription = OptionalString(root, "", "previousDescription"),
                PreviousTarget = OptionalObjectOrNull(root, "", "previousTarget", out var target) ? ReadBranch(target, "previousTarget", repository) : null,
            },
            "pr:reviewer:updated" => new EventChanges
            {
                AddedReviewers = OptionalArray(root, "", "addedReviewers", out var added, nullIsAbsent: true) ? ReadUsers(added, "", "addedReviewers") : [],
                RemovedReviewers = OptionalArray(root, "", "removedReviewers", out var removed, nullIsAbsent: true) ? ReadUsers(removed, "", "removedReviewers") : [],
            },
            _ => null,
        };
        var type = NewerActivity(root, eventKey, pullRequestElement, comment) ?? e.Type;
        return e with { Type = type, Repository = repository, PullRequest = pullRequest, Comment = comment, Changes = changes };
    }

    /// <summary>
    /// Bitbucket 8.18+ has no keys of its own for drafts and replies: a draft is <c>pr:opened</c> with
    /// <c>pullRequest.draft</c>, ready for review and back to draft are <c>pr:modified</c> whose
    /// <c>previousDraft</c> differs from <c>pullRequest.draft</c>, and a reply is <c>pr:comment:added</c> with
    /// <c>commentParentId</c>. Null when the body is the key's plain event (older servers send none of these).
    /// </summary>
    private static string? NewerActivity(JsonElement root, string eventKey, JsonElement pullRequest, Comment? comment) => eventKey switch
    {
        "pr:opened" when OptionalBoolean(pullRequest, "pullRequest", "draft") == true => EventTypes.PullRequestDraftOpened,
        "pr:modified" => (OptionalBoolean(root, "", "previousDraft"), OptionalBoolean(pullRequest, "pullRequest", "draft")) switch
        {
            (true, false) => EventTypes.PullRequestReadyForReview,
            (false, true) => EventTypes.PullRequestConvertedToDraft,
            _ => null,
        },
        "pr:comment:added" when comment?.ParentId is not null => EventTypes.PullRequestCommentReplied,
        _ => null,
    };

    private static NotificationEvent ReadCommitComment(JsonElement root, NotificationEvent e)
    {
        var repository = ReadRepository(RequiredObject(root, "", "repository"), "repository");
        var hash = RequiredString(root, "", "commit");
        if (!CanonicalEventReader.IsCommitHash(hash))
        {
            throw Fail("", "commit", "expected a commit hash (7 to 64 hex digits)");
        }

        var commitUrl = CommitUrl(repository, hash);
        return e with
        {
            Repository = repository,
            Commit = new Commit { Id = hash, Url = commitUrl },
            Comment = ReadComment(RequiredObject(root, "", "comment"), "comment", root, CommentUrl(commitUrl, "?commentId=")),
        };
    }

    private static NotificationEvent ReadPush(JsonElement root, NotificationEvent e)
    {
        var repository = ReadRepository(RequiredObject(root, "", "repository"), "repository");
        if (!OptionalArray(root, "", "changes", out var array) || array.GetArrayLength() == 0)
        {
            throw Fail("", "changes", "required array of at least one ref change");
        }

        var changes = ReadObjects(array, "", "changes", static (item, path) =>
        {
            var refId = RequiredString(item, path, "refId");
            var displayId = OptionalObjectOrNull(item, path, "ref", out var reference)
                ? OptionalString(reference, Join(path, "ref"), "displayId") ?? refId
                : refId;
            return new RefChange(
                refId,
                displayId,
                RequiredString(item, path, "type"),
                NullUnlessReal(OptionalString(item, path, "fromHash")),
                NullUnlessReal(OptionalString(item, path, "toHash")));
        });
        var commits = OptionalArray(root, "", "commits", out var commitArray, nullIsAbsent: true)
            ? ReadObjects(commitArray, "", "commits", (item, path) =>
            {
                var hash = RequiredString(item, path, "id");
                return new Commit
                {
                    Id = hash,
                    Message = OptionalString(item, path, "message"),
                    Author = OptionalObjectOrNull(item, path, "author", out var author) ? ReadUser(author, Join(path, "author")) : null,
                    Url = CommitUrl(repository, hash),
                };
            })
            : [];

        return e with { Repository = repository, Push = new Push { Changes = changes, Commits = commits } };
    }

    private static NotificationEvent ReadFork(JsonElement root, NotificationEvent e)
    {
        var fork = RequiredObject(root, "", "repository");
        return e with
        {
            Repository = ReadRepository(fork, "repository"),
            Origin = ReadRepository(RequiredObject(fork, "repository", "origin"), "repository.origin"),
        };
    }

    private static NotificationEvent ReadRepositoryModified(JsonElement root, NotificationEvent e) => e with
    {
        Repository = ReadRepository(RequiredObject(root, "", "new"), "new"),
        Changes = new EventChanges { PreviousRepository = ReadRepository(RequiredObject(root, "", "old"), "old") },
    };

    private static PullRequest ReadPullRequest(JsonElement obj, string path, out Repository repository)
    {
        var toRefPath = Join(path, "toRef");
        var toRef = RequiredObject(obj, path, "toRef");
        repository = ReadRepository(RequiredObject(toRef, toRefPath, "repository"), Join(toRefPath, "repository"));
        var authorPath = Join(path, "author");
        return new PullRequest
        {
            Id = RequiredInteger(obj, path, "id", minimum: 1),
            Title = RequiredString(obj, path, "title", allowEmpty: true),
            Description = OptionalString(obj, path, "description") is { Length: > 0 } description ? description : null,
            State = OptionalString(obj, path, "state") ?? "OPEN",
            Url = SelfLink(obj),
            Author = ReadUser(RequiredObject(RequiredObject(obj, path, "author"), authorPath, "user"), Join(authorPath, "user")),
            Source = ReadBranch(RequiredObject(obj, path, "fromRef"), Join(path, "fromRef"), repository),
            Target = ReadBranch(toRef, toRefPath, repository),
            Reviewers = OptionalArray(obj, path, "reviewers", out var reviewers, nullIsAbsent: true) ? ReadParticipants(reviewers, path, "reviewers") : [],
            Participants = OptionalArray(obj, path, "participants", out var participants, nullIsAbsent: true) ? ReadParticipants(participants, path, "participants") : [],
        };
    }

    /// <summary>A ref; its repository is kept only when it differs from the pull request's (a fork).</summary>
    private static BranchRef ReadBranch(JsonElement obj, string path, Repository target)
    {
        var name = OptionalString(obj, path, "displayId") ?? RequiredString(obj, path, "id");
        var repository = OptionalObjectOrNull(obj, path, "repository", out var element) && !IsRepository(element, target)
            ? ReadRepository(element, Join(path, "repository"))
            : null;
        return new BranchRef(name, OptionalString(obj, path, "latestCommit"), repository);
    }

    /// <summary>Whether a Bitbucket repository object is <paramref name="target"/>, compared without materialising it.</summary>
    private static bool IsRepository(JsonElement element, Repository target) =>
        element.TryGetProperty("slug", out var slug) && slug.ValueKind == JsonValueKind.String && slug.ValueEquals(target.Slug)
        && element.TryGetProperty("project", out var project) && project.ValueKind == JsonValueKind.Object
        && project.TryGetProperty("key", out var key) && key.ValueKind == JsonValueKind.String && key.ValueEquals(target.ProjectKey);

    private static Participant[] ReadParticipants(JsonElement array, string path, string name) =>
        ReadObjects(array, path, name, static (item, itemPath) => new Participant(
            ReadUser(RequiredObject(item, itemPath, "user"), Join(itemPath, "user")),
            CanonicalEventReader.ReviewStatusOf(OptionalString(item, itemPath, "status"))));

    private static Comment ReadComment(JsonElement obj, string path, JsonElement root, Func<long, Uri?> url)
    {
        var id = RequiredInteger(obj, path, "id", minimum: 0);
        return new Comment
        {
            Id = id,
            Text = RequiredString(obj, path, "text", allowEmpty: true),
            Author = ReadUser(RequiredObject(obj, path, "author"), Join(path, "author")),
            Url = url(id),
            PreviousText = OptionalString(root, "", "previousComment"),
            ParentId = OptionalLong(root, "", "commentParentId", minimum: 0),
            Path = OptionalObjectOrNull(obj, path, "anchor", out var anchor) ? OptionalString(anchor, Join(path, "anchor"), "path") : null,
            Line = anchor.ValueKind == JsonValueKind.Object ? OptionalInteger(anchor, Join(path, "anchor"), "line", minimum: 1) : null,
        };
    }

    private static Repository ReadRepository(JsonElement obj, string path)
    {
        var projectPath = Join(path, "project");
        var project = RequiredObject(obj, path, "project");
        return new Repository
        {
            ProjectKey = RequiredString(project, projectPath, "key"),
            ProjectName = OptionalString(project, projectPath, "name"),
            Slug = RequiredString(obj, path, "slug"),
            Name = OptionalString(obj, path, "name"),
            Url = SelfLink(obj),
        };
    }

    private static User ReadUser(JsonElement obj, string path) =>
        new(RequiredString(obj, path, "name"), OptionalString(obj, path, "displayName"), OptionalString(obj, path, "emailAddress"));

    private static User[] ReadUsers(JsonElement array, string path, string name) => ReadObjects(array, path, name, ReadUser);

    /// <summary><c>links.self[0].href</c>, when it is there and usable (the 2017 sample has <c>[null]</c>).</summary>
    private static Uri? SelfLink(JsonElement obj)
    {
        if (obj.TryGetProperty("links", out var links) && links.ValueKind == JsonValueKind.Object
            && links.TryGetProperty("self", out var self) && self.ValueKind == JsonValueKind.Array && self.GetArrayLength() > 0)
        {
            var first = self[0];
            if (first.ValueKind == JsonValueKind.Object && first.TryGetProperty("href", out var href) && href.ValueKind == JsonValueKind.String)
            {
                return WebUrls.Lenient(href.GetString());
            }
        }

        return null;
    }

    /// <summary>Bitbucket's commit page: the repository's browse link with <c>/browse</c> replaced.</summary>
    private static Uri? CommitUrl(Repository repository, string hash)
    {
        var browse = repository.Url?.AbsoluteUri;
        return browse is not null && browse.EndsWith("/browse", StringComparison.Ordinal)
            ? WebUrls.Lenient(string.Concat(browse.AsSpan(0, browse.Length - "/browse".Length), "/commits/", hash))
            : null;
    }

    private static Func<long, Uri?> CommentUrl(Uri? page, string query) =>
        id => page is null ? null : WebUrls.Lenient(string.Concat(page.AbsoluteUri, query, id.ToString(CultureInfo.InvariantCulture)));

    private static string? NullUnlessReal(string? hash) => hash is null || hash == NullHash ? null : hash;
}
