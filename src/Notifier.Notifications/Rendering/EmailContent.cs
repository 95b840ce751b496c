namespace Notifier.Notifications.Rendering;

/// <summary>
/// What one event's email says, independent of format and recipient. Built once per event; the text and
/// HTML writers turn it into bodies, and only the reason line differs per recipient.
/// </summary>
internal sealed record EmailContent
{
    /// <summary>
    /// The subject without the configured prefix and without <c>Re: </c>, e.g. <c>[PROJ/repo] Title (PR #42)</c>:
    /// the same for every email in a thread.
    /// </summary>
    public required string Subject { get; init; }

    /// <summary>True for every email of a thread after its first: the subject then starts with <c>Re: </c>.</summary>
    public bool IsReply { get; init; }

    /// <summary>Where it happened, shown in the banner: <c>PROJ/repo</c>, or the site for account mail.</summary>
    public required string Context { get; init; }

    /// <summary>One sentence saying what happened and who did it.</summary>
    public required string Headline { get; init; }

    /// <summary>The thing's name shown large (pull request title, commit summary); may be empty.</summary>
    public string Title { get; init; } = string.Empty;

    public IReadOnlyList<Fact> Facts { get; init; } = [];

    public IReadOnlyList<ContentBlock> Blocks { get; init; } = [];

    /// <summary>The main call to action; null when there is nothing to open (e.g. a deleted repository).</summary>
    public ContentLink? Action { get; init; }

    /// <summary>What the reason sentence refers to ("this pull request", "this commit", ...).</summary>
    public required SubjectKind Kind { get; init; }
}
