namespace Notifier.Notifications.Rendering;

/// <summary>A list of short items (commits, refs, changes), each optionally linked.</summary>
internal sealed record ItemListBlock(string Heading, IReadOnlyList<ListItem> Items) : ContentBlock(Heading);
