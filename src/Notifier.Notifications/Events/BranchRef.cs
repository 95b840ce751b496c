namespace Notifier.Notifications.Events;

/// <summary>A branch end of a pull request.</summary>
/// <param name="Name">Display name, e.g. <c>feature/retry</c>.</param>
/// <param name="LatestCommit">Full hash, when known.</param>
/// <param name="Repository">The repository of the branch, when it differs (pull request from a fork).</param>
public sealed record BranchRef(string Name, string? LatestCommit = null, Repository? Repository = null);
