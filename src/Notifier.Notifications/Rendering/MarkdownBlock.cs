namespace Notifier.Notifications.Rendering;

/// <summary>Markdown from the event (a description or a comment), shown quoted when it is context (a parent comment, text before an edit).</summary>
internal sealed record MarkdownBlock(string Heading, string Markdown, bool Quoted, string? TruncationNote) : ContentBlock(Heading);
