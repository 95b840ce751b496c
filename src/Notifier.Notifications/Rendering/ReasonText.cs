using Notifier.Notifications.Recipients;

namespace Notifier.Notifications.Rendering;

/// <summary>The "why you get this" sentence each email ends with, per recipient reason and subject.</summary>
internal static class ReasonText
{
    public static string For(RecipientReason reason, SubjectKind kind)
    {
        var thing = kind switch
        {
            SubjectKind.PullRequest => "this pull request",
            SubjectKind.Commit => "this commit",
            _ => "this repository",
        };

        return (reason, kind) switch
        {
            (RecipientReason.Account, _) or (_, SubjectKind.Account) =>
                "You are receiving this because this address belongs to the account named above. Only you get this email.",
            (RecipientReason.Author, SubjectKind.Commit) => "You are receiving this because you are the author of this commit.",
            (RecipientReason.Author, SubjectKind.PullRequest) => "You are receiving this because you are the author of this pull request.",
            (RecipientReason.Author, _) => "You are receiving this because you own this repository.",
            (RecipientReason.Reviewer, _) => $"You are receiving this because you are a reviewer of {thing}.",
            (RecipientReason.Participant, _) => $"You are receiving this because you take part in the discussion of {thing}.",
            (RecipientReason.Watcher, SubjectKind.Repository) => "You are receiving this because you watch this repository.",
            (RecipientReason.Watcher, _) => $"You are receiving this because you watch {thing} or its repository.",
            _ => $"You are receiving this because you are involved in {thing}.",
        };
    }

    /// <summary>The <c>X-Notifier-Reason</c> value.</summary>
    public static string HeaderValue(RecipientReason reason) => reason switch
    {
        RecipientReason.Author => "author",
        RecipientReason.Reviewer => "reviewer",
        RecipientReason.Participant => "participant",
        RecipientReason.Watcher => "watcher",
        RecipientReason.Account => "account",
        _ => "other",
    };
}
