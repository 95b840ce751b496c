namespace Notifier.Notifications.Rendering;

/// <summary>One labelled line of context ("Into: main"). Values are plain event text; writers escape them.</summary>
internal sealed record Fact(string Label, IReadOnlyList<string> Values);
