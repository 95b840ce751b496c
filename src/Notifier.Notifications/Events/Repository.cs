namespace Notifier.Notifications.Events;

/// <summary>A repository, e.g. project <c>PROJ</c>, slug <c>repo</c>.</summary>
public sealed record Repository
{
    public required string ProjectKey { get; init; }

    public string? ProjectName { get; init; }

    public required string Slug { get; init; }

    public string? Name { get; init; }

    public Uri? Url { get; init; }

    /// <summary><c>PROJ/repo</c>, as used in subjects.</summary>
    public string FullName => $"{ProjectKey}/{Slug}";
}
