namespace Notifier.Notifications.Rendering;

/// <summary>
/// How long each piece of event text may be in an email. Event text comes from users and producers: a
/// 10 KB branch name or title must not make a subject or a fact line unreadable, so every piece is cut here.
/// </summary>
internal static class ContentLimits
{
    /// <summary>A title (pull request title, commit summary) inside a subject line.</summary>
    public const int SubjectTitle = 120;

    /// <summary>A pull request's title shown large in the body.</summary>
    public const int Title = 300;

    /// <summary>A person's name, a repository's display name, a site's host name.</summary>
    public const int Name = 100;

    /// <summary>A repository's full name (<c>PROJ/repo</c>) and a branch name.</summary>
    public const int RepositoryName = 200;

    /// <summary>A ref's display name in a push.</summary>
    public const int RefName = 100;

    /// <summary>An event type named in a sentence, for types this version has no words for.</summary>
    public const int EventType = 60;

    /// <summary>A pull request's state (merged, declined).</summary>
    public const int State = 40;

    /// <summary>A full commit id: 40 hex digits for SHA-1, 64 for SHA-256.</summary>
    public const int CommitId = 64;

    /// <summary>A short commit id, as Bitbucket shows it.</summary>
    public const int ShortHash = 11;

    /// <summary>Commits listed in a push email; the rest are counted.</summary>
    public const int ListedCommits = 20;
}
