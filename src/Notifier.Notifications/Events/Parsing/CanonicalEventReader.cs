using System.Buffers;
using System.Text.Json;
using static Notifier.Notifications.Events.Parsing.JsonFields;

namespace Notifier.Notifications.Events.Parsing;

/// <summary>
/// Reads a canonical event (schema v1, <c>schemas/event.schema.json</c>). It enforces the schema's rules, so
/// the schema and this reader accept the same events; unknown properties are ignored, as the schema allows.
/// </summary>
internal static class CanonicalEventReader
{
    public const string SpecVersion = "1.0";

    private static readonly string[] States = ["OPEN", "MERGED", "DECLINED"];
    private static readonly string[] ReviewStatuses = ["UNAPPROVED", "APPROVED", "NEEDS_WORK"];
    private static readonly string[] RefChangeTypes = ["ADD", "UPDATE", "DELETE"];
    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    public static NotificationEvent Read(JsonElement root, ParseContext context)
    {
        // Id and type first: a rejection further down is still logged with them.
        context.EventId = TryPeekString(root, "id");
        context.EventType = TryPeekString(root, "type");

        var specVersion = RequiredString(root, "", "specVersion", allowEmpty: true);
        if (specVersion != SpecVersion)
        {
            throw new EventFormatException("specVersion", $"'{Printable(specVersion)}' is not supported; expected \"{SpecVersion}\"");
        }

        var type = RequiredString(root, "", "type", allowEmpty: true);
        if (EventTypes.CategoryOf(type) is null)
        {
            throw new EventFormatException("type", $"unknown type '{Printable(type)}'");
        }

        var id = RequiredString(root, "", "id");
        if (id.Length > 200)
        {
            throw new EventFormatException("id", "longer than 200 characters");
        }

        var time = EventDates.RequiredCanonical(root, "", "time");
        var actor = ReadUser(RequiredObject(root, "", "actor"), "actor");

        var notificationEvent = new NotificationEvent
        {
            Type = type,
            Id = id,
            Time = time,
            Actor = actor,
            Repository = OptionalObject(root, "", "repository", out var repository) ? ReadRepository(repository, "repository") : null,
            PullRequest = OptionalObject(root, "", "pullRequest", out var pullRequest) ? ReadPullRequest(pullRequest, "pullRequest") : null,
            Comment = OptionalObject(root, "", "comment", out var comment) ? ReadComment(comment, "comment") : null,
            Commit = OptionalObject(root, "", "commit", out var commit) ? ReadCommit(commit, "commit") : null,
            Push = OptionalObject(root, "", "push", out var push) ? ReadPush(push, "push") : null,
            Origin = OptionalObject(root, "", "origin", out var origin) ? ReadRepository(origin, "origin") : null,
            Changes = OptionalObject(root, "", "changes", out var changes) ? ReadChanges(changes, "changes") : null,
            Account = OptionalObject(root, "", "account", out var account) ? ReadAccount(account, "account", type) : null,
            Recipients = OptionalArray(root, "", "recipients", out var recipients) ? ReadUsers(recipients, "", "recipients") : null,
            ImmediateRecipients = OptionalArray(root, "", "recipients", out var marked) ? ReadImmediate(marked) : [],
        };

        RequireParts(notificationEvent);
        return notificationEvent;
    }

    /// <summary>The parts each type must carry (the schema's allOf).</summary>
    private static void RequireParts(NotificationEvent e)
    {
        var type = e.Type;
        if (type.StartsWith("pullrequest.", StringComparison.Ordinal))
        {
            Require(e.Repository, "repository", type);
            Require(e.PullRequest, "pullRequest", type);
        }

        if (type.Contains(".comment.", StringComparison.Ordinal))
        {
            Require(e.Comment, "comment", type);
        }

        if (type == EventTypes.PullRequestCommentReplied && e.Comment is { Parent: null, ParentId: null })
        {
            throw new EventFormatException("comment.parent", $"required for {type} (or comment.parentId when only the id is known)");
        }

        if (type.StartsWith("commit.", StringComparison.Ordinal))
        {
            Require(e.Repository, "repository", type);
            Require(e.Commit, "commit", type);
        }

        if (type is EventTypes.PullRequestModified or EventTypes.PullRequestReviewersUpdated or EventTypes.RepositoryModified)
        {
            Require(e.Changes, "changes", type);
        }

        if (type.StartsWith("repository.", StringComparison.Ordinal))
        {
            Require(e.Repository, "repository", type);
        }

        if (type == EventTypes.RepositoryPushed)
        {
            Require(e.Push, "push", type);
        }

        if (type == EventTypes.RepositoryForked)
        {
            Require(e.Origin, "origin", type);
        }

        if (type.StartsWith("account.", StringComparison.Ordinal))
        {
            Require(e.Account, "account", type);
        }
    }

    private static void Require(object? part, string name, string type)
    {
        if (part is null)
        {
            throw new EventFormatException(name, $"required for {type}");
        }
    }

    public static User ReadUser(JsonElement obj, string path) =>
        new(RequiredString(obj, path, "name"), OptionalString(obj, path, "displayName"), OptionalString(obj, path, "email"));

    private static User[] ReadUsers(JsonElement array, string path, string name) => ReadObjects(array, path, name, ReadUser);

    /// <summary>The user names of <c>recipients</c> entries with <c>"immediate": true</c>.</summary>
    private static string[] ReadImmediate(JsonElement recipients)
    {
        var names = new List<string>();
        var index = 0;
        foreach (var item in recipients.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("immediate", out var immediate))
            {
                if (immediate.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    throw Fail(Item(string.Empty, "recipients", index), "immediate", "must be true or false");
                }

                if (immediate.ValueKind == JsonValueKind.True)
                {
                    names.Add(RequiredString(item, Item(string.Empty, "recipients", index), "name"));
                }
            }

            index++;
        }

        return [.. names];
    }

    private static Repository ReadRepository(JsonElement obj, string path) => new()
    {
        ProjectKey = RequiredString(obj, path, "projectKey"),
        ProjectName = OptionalString(obj, path, "projectName"),
        Slug = RequiredString(obj, path, "slug"),
        Name = OptionalString(obj, path, "name"),
        Url = WebUrls.Optional(obj, path, "url"),
    };

    private static BranchRef ReadBranch(JsonElement obj, string path) => new(
        RequiredString(obj, path, "name"),
        OptionalString(obj, path, "latestCommit"),
        OptionalObject(obj, path, "repository", out var repository) ? ReadRepository(repository, Join(path, "repository")) : null);

    private static PullRequest ReadPullRequest(JsonElement obj, string path) => new()
    {
        Id = RequiredInteger(obj, path, "id", minimum: 1),
        Title = RequiredString(obj, path, "title"),
        Description = OptionalString(obj, path, "description"),
        State = ReadEnum(obj, path, "state", States) ?? "OPEN",
        Url = WebUrls.Optional(obj, path, "url"),
        Author = ReadUser(RequiredObject(obj, path, "author"), Join(path, "author")),
        Source = ReadBranch(RequiredObject(obj, path, "source"), Join(path, "source")),
        Target = ReadBranch(RequiredObject(obj, path, "target"), Join(path, "target")),
        Reviewers = OptionalArray(obj, path, "reviewers", out var reviewers) ? ReadParticipants(reviewers, path, "reviewers") : [],
        Participants = OptionalArray(obj, path, "participants", out var participants) ? ReadParticipants(participants, path, "participants") : [],
    };

    private static Participant[] ReadParticipants(JsonElement array, string path, string name) =>
        ReadObjects(array, path, name, static (item, itemPath) => new Participant(
            ReadUser(RequiredObject(item, itemPath, "user"), Join(itemPath, "user")),
            ReviewStatusOf(ReadEnum(item, itemPath, "status", ReviewStatuses))));

    public static ReviewStatus ReviewStatusOf(string? status) => status switch
    {
        "APPROVED" => ReviewStatus.Approved,
        "NEEDS_WORK" => ReviewStatus.NeedsWork,
        _ => ReviewStatus.Unapproved,
    };

    private static Comment ReadComment(JsonElement obj, string path)
    {
        // Read in document order of the schema, so the first problem reported stays the same.
        var id = RequiredInteger(obj, path, "id", minimum: 0);
        var text = RequiredString(obj, path, "text", allowEmpty: true);
        var author = ReadUser(RequiredObject(obj, path, "author"), Join(path, "author"));
        var url = WebUrls.Optional(obj, path, "url");
        var parent = OptionalObject(obj, path, "parent", out var parentElement) ? ReadComment(parentElement, Join(path, "parent")) : null;
        return new Comment
        {
            Id = id,
            Text = text,
            Author = author,
            Url = url,
            Parent = parent,
            PreviousText = OptionalString(obj, path, "previousText"),
            Path = OptionalString(obj, path, "path"),
            Line = OptionalInteger(obj, path, "line", minimum: 1),
            ParentId = OptionalLong(obj, path, "parentId", minimum: 0) ?? parent?.Id,
        };
    }

    private static Commit ReadCommit(JsonElement obj, string path)
    {
        var id = RequiredString(obj, path, "id");
        return new Commit
        {
            Id = IsCommitHash(id) ? id : throw Fail(path, "id", "expected a commit hash (7 to 64 hex digits)"),
            Message = OptionalString(obj, path, "message"),
            Author = OptionalObject(obj, path, "author", out var author) ? ReadUser(author, Join(path, "author")) : null,
            Url = WebUrls.Optional(obj, path, "url"),
        };
    }

    public static bool IsCommitHash(string id) => id.Length is >= 7 and <= 64 && !id.AsSpan().ContainsAnyExcept(HexDigits);

    private static Push ReadPush(JsonElement obj, string path)
    {
        if (!OptionalArray(obj, path, "changes", out var array))
        {
            throw Fail(path, "changes", "required array");
        }

        if (array.GetArrayLength() == 0)
        {
            throw Fail(path, "changes", "must name at least one ref");
        }

        var changes = ReadObjects(array, path, "changes", static (item, itemPath) => new RefChange(
            RequiredString(item, itemPath, "refId"),
            RequiredString(item, itemPath, "displayId"),
            ReadEnum(item, itemPath, "type", RefChangeTypes) ?? throw Fail(itemPath, "type", "required string"),
            OptionalString(item, itemPath, "fromHash"),
            OptionalString(item, itemPath, "toHash")));
        var commits = OptionalArray(obj, path, "commits", out var commitArray) ? ReadObjects(commitArray, path, "commits", ReadCommit) : [];

        return new Push { Changes = changes, CommitCount = OptionalInteger(obj, path, "commitCount", minimum: 0), Commits = commits };
    }

    private static EventChanges ReadChanges(JsonElement obj, string path) => new()
    {
        PreviousTitle = OptionalString(obj, path, "previousTitle"),
        PreviousDescription = OptionalString(obj, path, "previousDescription"),
        PreviousTarget = OptionalObject(obj, path, "previousTarget", out var target) ? ReadBranch(target, Join(path, "previousTarget")) : null,
        PreviousRepository = OptionalObject(obj, path, "previousRepository", out var repository) ? ReadRepository(repository, Join(path, "previousRepository")) : null,
        AddedReviewers = OptionalArray(obj, path, "addedReviewers", out var added) ? ReadUsers(added, path, "addedReviewers") : [],
        RemovedReviewers = OptionalArray(obj, path, "removedReviewers", out var removed) ? ReadUsers(removed, path, "removedReviewers") : [],
    };

    /// <summary>
    /// The JSON carries <c>setPasswordUrl</c> (account.created) or <c>resetUrl</c> (account.password-reset), as
    /// docs/events.md names them; both map onto <see cref="Account.Link"/>. Returns null for other types, whose
    /// account part (if any) is validated but not used.
    /// </summary>
    private static Account? ReadAccount(JsonElement obj, string path, string type)
    {
        var userPath = Join(path, "user");
        var user = ReadUser(RequiredObject(obj, path, "user"), userPath);
        if (user.Email is null)
        {
            throw Fail(userPath, "email", "required string");
        }

        if (user.Email.Length == 0)
        {
            throw Fail(userPath, "email", "must not be empty");
        }

        var setPassword = WebUrls.OptionalSecret(obj, path, "setPasswordUrl");
        var reset = WebUrls.OptionalSecret(obj, path, "resetUrl");
        var expiresAt = EventDates.RequiredCanonical(obj, path, "expiresAt");
        var link = type switch
        {
            EventTypes.AccountCreated => setPassword ?? throw Fail(path, "setPasswordUrl", $"required for {type}"),
            EventTypes.AccountPasswordReset => reset ?? throw Fail(path, "resetUrl", $"required for {type}"),
            _ => null,
        };
        return link is null ? null : new Account { User = user, Link = link, ExpiresAt = expiresAt };
    }

    private static string? ReadEnum(JsonElement obj, string path, string name, string[] allowed)
    {
        var value = OptionalStrictString(obj, path, name);
        return value is null || Array.IndexOf(allowed, value) >= 0
            ? value
            : throw Fail(path, name, $"'{Printable(value)}' is not one of {string.Join(", ", allowed)}");
    }

    private static string? TryPeekString(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        try
        {
            var text = value.GetString();
            return text is { Length: > 0 and <= 200 } ? text : null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
