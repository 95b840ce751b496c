namespace Notifier.Notifications.Events;

/// <summary>A comment on a pull request or a commit.</summary>
public sealed record Comment
{
    public required long Id { get; init; }

    /// <summary>Markdown.</summary>
    public required string Text { get; init; }

    public required User Author { get; init; }

    public Uri? Url { get; init; }

    /// <summary>The comment this one replies to, when it is a reply.</summary>
    public Comment? Parent { get; init; }

    /// <summary>
    /// The id of the comment this one replies to: <see cref="Parent"/>'s id, or the id alone when that is all
    /// the producer knows (Bitbucket's webhook sends only <c>commentParentId</c>).
    /// </summary>
    public long? ParentId { get; init; }

    /// <summary>For <c>*.comment.edited</c>: the text before the edit.</summary>
    public string? PreviousText { get; init; }

    /// <summary>File and line the comment is anchored to, when it is inline.</summary>
    public string? Path { get; init; }

    public int? Line { get; init; }
}
