using System.Globalization;
using Notifier.Notifications.Events;

namespace Notifier.Notifications.Rendering;

/// <summary>
/// The words and parts every event family shares: people, repositories, branches, commit ids, times, links
/// and markdown sections, each cut to its limit in <see cref="ContentLimits"/>.
/// </summary>
internal static class ContentText
{
    public static string Name(User? user) =>
        user is null ? "Someone" : TextLimit.OneLine(user.Label, ContentLimits.Name) is { Length: > 0 } label ? label : "Someone";

    public static string RepoName(Repository? repository) =>
        repository is null ? "unknown repository" : TextLimit.OneLine(repository.FullName, ContentLimits.RepositoryName);

    public static string RepoLabel(Repository? repository) =>
        repository is null
            ? "unknown repository"
            : string.IsNullOrWhiteSpace(repository.Name) || repository.Name == repository.Slug
                ? RepoName(repository)
                : $"{TextLimit.OneLine(repository.Name, ContentLimits.Name)} ({RepoName(repository)})";

    /// <summary>A branch, prefixed with its repository when it lives in another one (a fork).</summary>
    public static string BranchLabel(BranchRef branch, Repository? repository)
    {
        var name = TextLimit.OneLine(branch.Name, ContentLimits.RepositoryName);
        return branch.Repository is { } own && repository is not null && RepoName(own) != RepoName(repository)
            ? $"{RepoName(own)}:{name}"
            : name;
    }

    public static string ShortHash(string? hash) =>
        string.IsNullOrWhiteSpace(hash)
            ? "(none)"
            : TextLimit.OneLine(hash.Length > ContentLimits.ShortHash ? hash[..ContentLimits.ShortHash] : hash, ContentLimits.ShortHash);

    public static string SubjectTitle(string title) => HeaderText.Clean(title, ContentLimits.SubjectTitle);

    public static string When(DateTimeOffset time) =>
        time.UtcDateTime.ToString("ddd d MMM yyyy, HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>A link only when it is http(s): anything else would be a script or data link in the HTML.</summary>
    public static ContentLink? Link(string label, Uri? uri) =>
        SafeLink.Http(uri) is { } href ? new ContentLink(label, href) : null;

    /// <summary>
    /// A markdown section, cleaned and cut at its limit; when cut, it says what to open ("the comment") for the
    /// rest.
    /// </summary>
    public static MarkdownBlock Markdown(string heading, string? markdown, bool quoted, string what)
    {
        var text = TextLimit.CutMarkdown(TextLimit.CleanBody(markdown), out var truncated);
        return new MarkdownBlock(heading, text, quoted, truncated ? $"… (truncated, see {what})" : null);
    }
}
