namespace Notifier.Notifications.Rendering;

/// <summary>A section of an email body below the headline and facts.</summary>
internal abstract record ContentBlock(string Heading);

/// <summary>Markdown from the event (a description or a comment), shown quoted when it is context (a parent comment, text before an edit).</summary>
internal sealed record MarkdownBlock(string Heading, string Markdown, bool Quoted, string? TruncationNote) : ContentBlock(Heading);

/// <summary>A list of short items (commits, refs, changes), each optionally linked.</summary>
internal sealed record ItemListBlock(string Heading, IReadOnlyList<ListItem> Items) : ContentBlock(Heading);

/// <summary>Plain paragraphs of our own wording (account instructions and warnings).</summary>
internal sealed record NoticeBlock(string Heading, IReadOnlyList<string> Paragraphs) : ContentBlock(Heading);
