namespace Notifier.Notifications.Events;

/// <summary>One ref a push created, moved or deleted.</summary>
/// <param name="RefId">e.g. <c>refs/heads/main</c>.</param>
/// <param name="DisplayId">e.g. <c>main</c>.</param>
/// <param name="Type">ADD, UPDATE or DELETE.</param>
/// <param name="FromHash">Before the push; null for ADD.</param>
/// <param name="ToHash">After the push; null for DELETE.</param>
public sealed record RefChange(string RefId, string DisplayId, string Type, string? FromHash, string? ToHash);
