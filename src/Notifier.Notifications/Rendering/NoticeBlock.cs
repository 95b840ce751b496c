namespace Notifier.Notifications.Rendering;

/// <summary>Plain paragraphs of our own wording (account instructions and warnings).</summary>
internal sealed record NoticeBlock(string Heading, IReadOnlyList<string> Paragraphs) : ContentBlock(Heading);
