namespace Notifier.Notifications.Events;

/// <summary>
/// A canonical event (schema v1, <c>schemas/</c>). Bitbucket webhook bodies are mapped onto this shape.
/// Which optional parts are present depends on <see cref="Type"/>; the schema states it per type.
/// </summary>
public sealed record NotificationEvent
{
    public string SpecVersion { get; init; } = "1.0";

    /// <summary>One of <see cref="EventTypes"/>.</summary>
    public required string Type { get; init; }

    /// <summary>The producer's unique id; logged with every outcome.</summary>
    public required string Id { get; init; }

    public required DateTimeOffset Time { get; init; }

    /// <summary>Who did it. Never receives mail about their own action.</summary>
    public required User Actor { get; init; }

    public Repository? Repository { get; init; }

    public PullRequest? PullRequest { get; init; }

    /// <summary>For comment events.</summary>
    public Comment? Comment { get; init; }

    /// <summary>For commit discussions (<c>commit.comment.*</c>).</summary>
    public Commit? Commit { get; init; }

    /// <summary>For <c>repository.pushed</c>.</summary>
    public Push? Push { get; init; }

    /// <summary>For <c>repository.forked</c>: the repository that was forked (<see cref="Repository"/> is the fork).</summary>
    public Repository? Origin { get; init; }

    /// <summary>For <c>*.modified</c> and <c>pullrequest.reviewers.updated</c>: what changed.</summary>
    public EventChanges? Changes { get; init; }

    /// <summary>For <c>account.*</c>.</summary>
    public Account? Account { get; init; }

    /// <summary>Explicit recipients; when null they are derived from roles.</summary>
    public IReadOnlyList<User>? Recipients { get; init; }

    /// <summary>User names of explicit recipients the producer marked <c>"immediate": true</c>: never batched.</summary>
    public IReadOnlyList<string> ImmediateRecipients { get; init; } = [];

    public EventCategory? Category => EventTypes.CategoryOf(Type);
}
