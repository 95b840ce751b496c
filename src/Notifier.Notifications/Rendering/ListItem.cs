namespace Notifier.Notifications.Rendering;

/// <summary>An entry of an <see cref="ItemListBlock"/>: a short code-like lead (a commit id), text, and an optional vetted link.</summary>
internal sealed record ListItem(string? Code, string Text, string? Href = null);
