namespace Notifier.Notifications.Rendering;

/// <summary>What an email is about; picks the wording of the "why you get this" sentence and the threading.</summary>
internal enum SubjectKind
{
    PullRequest,
    Commit,
    Repository,
    Account,
}
