using Microsoft.Extensions.Time.Testing;
using Notifier.Notifications.Events;
using Notifier.Notifications.Recipients;
using Notifier.Notifications.Rendering;
using Notifier.Smtp.Messages;

namespace Notifier.Notifications.Tests.Rendering;

/// <summary>
/// One realistic event per canonical type, built in C# so the rendering tests do not depend on the parser.
/// </summary>
internal static class TestEvents
{
    public static readonly DateTimeOffset Time = new(2026, 11, 21, 9, 2, 17, TimeSpan.Zero);

    public static readonly User Priya = new("priya.raman", "Priya Raman", "priya.raman@example.com");
    public static readonly User Tomas = new("tomas", "Tomás Álvarez", "tomas.alvarez@example.com");
    public static readonly User Mei = new("mei.lin", "Mei Lin", "mei.lin@example.com");
    public static readonly User Jonas = new("jbecker", "Jonas Becker", "jonas.becker@example.com");
    public static readonly User Amara = new("amara", "Amara Okafor", "amara.okafor@example.com");

    public static readonly Repository Ledger = new()
    {
        ProjectKey = "PAY",
        ProjectName = "Payments",
        Slug = "ledger-service",
        Name = "Ledger Service",
        Url = new Uri("https://git.example.com/projects/PAY/repos/ledger-service/browse"),
    };

    public const string Description =
        "Settlement calls to the bank gateway currently retry **forever** when the gateway answers `503`.\n" +
        "During last Tuesday's incident that turned one slow partner into a queue of 40k stuck settlements.\n\n" +
        "This change gives every settlement a retry budget:\n\n" +
        "- at most **3 attempts** per settlement, with jittered exponential back-off (200 ms, 800 ms, 3.2 s);\n" +
        "- a shared budget of 10 % extra load per minute across the whole client, so a partner outage cannot amplify itself;\n" +
        "- a new metric `settlement_retry_budget_exhausted_total`.\n\n" +
        "```csharp\nvar policy = RetryBudget.Create(maxAttempts: 3, ratio: 0.10, window: TimeSpan.FromMinutes(1));\n```\n\n" +
        "Rollout: behind the `settlement.retry-budget` flag, default off. See [RFC-117](https://git.example.com/projects/PAY/repos/docs/browse/rfc/117-retry-budget.md).";

    public static PullRequest RetryBudget(ReviewStatus tomas = ReviewStatus.Unapproved, ReviewStatus mei = ReviewStatus.Unapproved) => new()
    {
        Id = 482,
        Title = "Add retry budget to the settlement client",
        Description = Description,
        Url = new Uri("https://git.example.com/projects/PAY/repos/ledger-service/pull-requests/482"),
        Author = Priya,
        Source = new BranchRef("feature/retry-budget", "9f2c4e1a7b3d5f60812c9e4a1b7d3f5e2c8a6b10"),
        Target = new BranchRef("main", "4b1d8e2f6a9c3e7d0f5b2a8c6e4d1f9a3b7c5e20"),
        Reviewers = [new Participant(Tomas, tomas), new Participant(Mei, mei)],
    };

    /// <summary>A pull request that starts as a draft.</summary>
    public static PullRequest PartnerBatches() => new()
    {
        Id = 487,
        Title = "Split settlement batches by partner",
        Description = "One settlement batch per partner, so a slow partner delays only its own batch.\n\n- [x] group pending settlements by `partnerId`\n- [x] per-partner metrics",
        Url = new Uri("https://git.example.com/projects/PAY/repos/ledger-service/pull-requests/487"),
        Author = Mei,
        Source = new BranchRef("feature/partner-batches", "2d7f9a1c3e5b8d0f4a6c2e9b1d3f5a7c8e0b2d41"),
        Target = new BranchRef("main", "4b1d8e2f6a9c3e7d0f5b2a8c6e4d1f9a3b7c5e20"),
        Reviewers = [new Participant(Priya), new Participant(Tomas)],
    };

    public static readonly Commit LoggingCommit = new()
    {
        Id = "5e8b2d4f6a1c3e7b9d0f2a4c6e8b1d3f5a7c9e20",
        Message = "Settlement: log the partner id on gateway timeouts\n\nPAY-2270",
        Author = Jonas,
        Url = new Uri("https://git.example.com/projects/PAY/repos/ledger-service/commits/5e8b2d4f6a1c3e7b9d0f2a4c6e8b1d3f5a7c9e20"),
    };

    private static NotificationEvent Pr(string type, User actor, PullRequest pr) => new()
    {
        Type = type,
        Id = $"evt-{type}",
        Time = Time,
        Actor = actor,
        Repository = Ledger,
        PullRequest = pr,
    };

    /// <summary>Every canonical type, keyed by type.</summary>
    public static IReadOnlyDictionary<string, NotificationEvent> All { get; } = new Dictionary<string, NotificationEvent>
    {
        [EventTypes.PullRequestOpened] = Pr(EventTypes.PullRequestOpened, Priya, RetryBudget()),
        [EventTypes.PullRequestUpdated] = Pr(EventTypes.PullRequestUpdated, Priya, RetryBudget() with
        {
            Source = new BranchRef("feature/retry-budget", "c81f0d3a5e7b9c2d4f6a8e0b1c3d5f7a9e2b4c60"),
        }),
        [EventTypes.PullRequestModified] = Pr(EventTypes.PullRequestModified, Priya, RetryBudget() with
        {
            Target = new BranchRef("release/2026.12"),
        }) with
        {
            Changes = new EventChanges
            {
                PreviousTitle = "WIP: retry budget for settlements",
                PreviousDescription = "Retry budget, first cut. Description to follow.",
                PreviousTarget = new BranchRef("main"),
            },
        },
        [EventTypes.PullRequestReviewersUpdated] = Pr(EventTypes.PullRequestReviewersUpdated, Priya, RetryBudget() with
        {
            Reviewers = [new Participant(Mei), new Participant(Amara)],
        }) with
        {
            Changes = new EventChanges { AddedReviewers = [Amara], RemovedReviewers = [Tomas] },
        },
        [EventTypes.PullRequestApproved] = Pr(EventTypes.PullRequestApproved, Mei, RetryBudget(mei: ReviewStatus.Approved)),
        [EventTypes.PullRequestUnapproved] = Pr(EventTypes.PullRequestUnapproved, Mei, RetryBudget()),
        [EventTypes.PullRequestNeedsWork] = Pr(EventTypes.PullRequestNeedsWork, Tomas, RetryBudget(tomas: ReviewStatus.NeedsWork)),
        [EventTypes.PullRequestMerged] = Pr(EventTypes.PullRequestMerged, Priya, RetryBudget(ReviewStatus.Approved, ReviewStatus.Approved) with { State = "MERGED" }),
        [EventTypes.PullRequestDeclined] = Pr(EventTypes.PullRequestDeclined, Tomas, RetryBudget() with { State = "DECLINED" }),
        [EventTypes.PullRequestReopened] = Pr(EventTypes.PullRequestReopened, Priya, RetryBudget()),
        [EventTypes.PullRequestDeleted] = Pr(EventTypes.PullRequestDeleted, Amara, new PullRequest
        {
            Id = 490,
            Title = "Fix typo in README",
            Author = Amara,
            Source = new BranchRef("typo-fix", Repository: new Repository { ProjectKey = "~amara", Slug = "ledger-service" }),
            Target = new BranchRef("main"),
        }),
        [EventTypes.PullRequestCommentAdded] = Pr(EventTypes.PullRequestCommentAdded, Priya, RetryBudget(tomas: ReviewStatus.NeedsWork)) with
        {
            Comment = new Comment
            {
                Id = 9142,
                Text = "Good point. I kept it global on purpose for now:\n\n1. the gateway limits us globally, not per partner;\n2. per-partner budgets need the partner id in `SettleAsync`, which is a bigger change.\n\nI opened PAY-2291 to follow up. @tomas does that work for you?",
                Author = Priya,
                Url = new Uri("https://git.example.com/projects/PAY/repos/ledger-service/pull-requests/482/overview?commentId=9142"),
                Path = "src/Settlement/RetryBudget.cs",
                Line = 42,
                Parent = new Comment
                {
                    Id = 9135,
                    Text = "Should the budget be per partner rather than global? A single flaky partner could starve the others.",
                    Author = Tomas,
                },
            },
        },
        [EventTypes.PullRequestCommentEdited] = Pr(EventTypes.PullRequestCommentEdited, Mei, RetryBudget()) with
        {
            Comment = new Comment
            {
                Id = 9151,
                Text = "Looks good to me once the flag defaults to **off** in `appsettings.Production.json` too.",
                PreviousText = "Looks good to me once the flag defaults to off.",
                Author = Mei,
                Url = new Uri("https://git.example.com/projects/PAY/repos/ledger-service/pull-requests/482/overview?commentId=9151"),
            },
        },
        [EventTypes.PullRequestDraftOpened] = Pr(EventTypes.PullRequestDraftOpened, Mei, PartnerBatches()),
        [EventTypes.PullRequestReadyForReview] = Pr(EventTypes.PullRequestReadyForReview, Mei, PartnerBatches()),
        [EventTypes.PullRequestConvertedToDraft] = Pr(EventTypes.PullRequestConvertedToDraft, Mei, PartnerBatches()),
        [EventTypes.PullRequestCommentReplied] = Pr(EventTypes.PullRequestCommentReplied, Tomas, RetryBudget(tomas: ReviewStatus.NeedsWork)) with
        {
            Comment = new Comment
            {
                Id = 9150,
                Text = "Works for me. Please link PAY-2291 from the `RetryBudget` doc comment so the next reader finds it.",
                Author = Tomas,
                Url = new Uri("https://git.example.com/projects/PAY/repos/ledger-service/pull-requests/482/overview?commentId=9150"),
                Path = "src/Settlement/RetryBudget.cs",
                Line = 42,
                ParentId = 9142,
                Parent = new Comment
                {
                    Id = 9142,
                    Text = "Good point. I kept it global on purpose for now. I opened PAY-2291 to follow up. @tomas does that work for you?",
                    Author = Priya,
                },
            },
        },
        [EventTypes.PullRequestAutoMergeRequested] = Pr(EventTypes.PullRequestAutoMergeRequested, Priya, RetryBudget(mei: ReviewStatus.Approved)),
        [EventTypes.PullRequestAutoMergeCancelled] = Pr(EventTypes.PullRequestAutoMergeCancelled, Priya, RetryBudget(mei: ReviewStatus.Approved)),
        [EventTypes.CommitCommentAdded] = new NotificationEvent
        {
            Type = EventTypes.CommitCommentAdded,
            Id = "evt-commit-comment-added",
            Time = Time,
            Actor = Mei,
            Repository = Ledger,
            Commit = LoggingCommit,
            Comment = new Comment
            {
                Id = 8807,
                Text = "Checked with security: partner ids are fine to log, card numbers of course are not.",
                Author = Mei,
                Url = new Uri("https://git.example.com/projects/PAY/repos/ledger-service/commits/5e8b2d4f6a1c3e7b9d0f2a4c6e8b1d3f5a7c9e20?commentId=8807"),
                Parent = new Comment { Id = 8801, Text = "Is the partner id safe to log?", Author = Amara },
            },
        },
        [EventTypes.CommitCommentEdited] = new NotificationEvent
        {
            Type = EventTypes.CommitCommentEdited,
            Id = "evt-commit-comment-edited",
            Time = Time,
            Actor = Amara,
            Repository = Ledger,
            Commit = LoggingCommit,
            Comment = new Comment
            {
                Id = 8801,
                Text = "Is the partner id safe to log? It is not personal data, but please check with #sec-privacy first.",
                PreviousText = "Is the partner id safe to log? It is not personal data, but check with #sec-privacy.",
                Author = Amara,
            },
        },
        [EventTypes.RepositoryPushed] = new NotificationEvent
        {
            Type = EventTypes.RepositoryPushed,
            Id = "evt-repository-pushed",
            Time = Time,
            Actor = Jonas,
            Repository = Ledger,
            Push = new Push
            {
                Changes =
                [
                    new RefChange("refs/heads/main", "main", "UPDATE", "4b1d8e2f6a9c3e7d0f5b2a8c6e4d1f9a3b7c5e20", "a7f3c9e1b5d2f8a4c6e0b3d7f1a9c5e2b8d4f6a3"),
                    new RefChange("refs/tags/v3.14.0", "v3.14.0", "ADD", null, "a7f3c9e1b5d2f8a4c6e0b3d7f1a9c5e2b8d4f6a3"),
                    new RefChange("refs/heads/spike/protobuf-snapshots", "spike/protobuf-snapshots", "DELETE", "0d7e3b9a1c5f8e2d4a6b0c3e9f1d7a5b2c8e4f61", null),
                ],
                CommitCount = 3,
                Commits =
                [
                    new Commit { Id = "a7f3c9e1b5d2f8a4c6e0b3d7f1a9c5e2b8d4f6a3", Message = "Release 3.14.0", Author = Jonas, Url = new Uri("https://git.example.com/projects/PAY/repos/ledger-service/commits/a7f3c9e1b5d2f8a4c6e0b3d7f1a9c5e2b8d4f6a3") },
                    new Commit { Id = "3c9e5a1f7b2d4c8e6a0f9b1d3e5c7a2f4b8d6e91", Message = "Bump Npgsql to 9.0.2", Author = Amara },
                    new Commit { Id = "e1b7d3f9a5c2e8b4d0f6a2c9e3b5d1f7a4c8e6b2", Message = "Settlement: reject batches over 5 000 items early (PAY-2284)\n\nLong body.", Author = Jonas },
                ],
            },
        },
        [EventTypes.RepositoryForked] = new NotificationEvent
        {
            Type = EventTypes.RepositoryForked,
            Id = "evt-repository-forked",
            Time = Time,
            Actor = Amara,
            Repository = new Repository { ProjectKey = "~amara", Slug = "ledger-service", Name = "ledger-service", Url = new Uri("https://git.example.com/users/amara/repos/ledger-service/browse") },
            Origin = Ledger,
        },
        [EventTypes.RepositoryModified] = new NotificationEvent
        {
            Type = EventTypes.RepositoryModified,
            Id = "evt-repository-modified",
            Time = Time,
            Actor = Jonas,
            Repository = Ledger,
            Changes = new EventChanges { PreviousRepository = Ledger with { Slug = "ledger", Name = "Ledger" } },
        },
        [EventTypes.RepositoryDeleted] = new NotificationEvent
        {
            Type = EventTypes.RepositoryDeleted,
            Id = "evt-repository-deleted",
            Time = Time,
            Actor = Jonas,
            Repository = Ledger with { Slug = "ledger-archive", Name = "Ledger archive" },
        },
        [EventTypes.AccountCreated] = new NotificationEvent
        {
            Type = EventTypes.AccountCreated,
            Id = "evt-account-created",
            Time = Time,
            Actor = new User("admin", "Site Administrator", "git-admin@example.com"),
            Account = new Account
            {
                User = new User("l.nakamura", "Leila Nakamura", "leila.nakamura@example.com"),
                Link = new Uri("https://git.example.com/passwordreset?token=q7Jx2mVbR9tLw4ZcKp8sNf3Ha6Ye1Ud0"),
                ExpiresAt = Time.AddDays(3),
            },
        },
        [EventTypes.AccountPasswordReset] = new NotificationEvent
        {
            Type = EventTypes.AccountPasswordReset,
            Id = "evt-account-password-reset",
            Time = Time,
            Actor = Tomas,
            Account = new Account
            {
                User = Tomas,
                Link = new Uri("https://git.example.com/passwordreset?token=Zt5Wq1Lr8Ve3Nk7Xb2Hm9Cy4Pj6Sd0Ga"),
                ExpiresAt = Time.AddHours(1),
            },
        },
    };

    /// <summary>A recipient for a user, as the resolver would make it.</summary>
    public static Recipient To(User user, RecipientReason reason) => new(user, new Mailbox(user.Email!, user.Label), reason);

    /// <summary>Recipients typical for the event's category: a reviewer and the author for pull requests, and so on.</summary>
    public static RecipientSet RecipientsFor(NotificationEvent e) => e.Category switch
    {
        EventCategory.Account => new RecipientSet([To(e.Account!.User, RecipientReason.Account)], 0, []),
        EventCategory.Repository when e.Commit is not null => new RecipientSet([To(Jonas, RecipientReason.Author), To(Tomas, RecipientReason.Participant)], 0, []),
        EventCategory.Repository => new RecipientSet([To(Tomas, RecipientReason.Watcher)], 0, []),

        // A draft's reviewers are not told; only people the producer names are.
        _ when e.Type == EventTypes.PullRequestDraftOpened => new RecipientSet([To(Jonas, RecipientReason.Watcher)], 0, []),
        _ => new RecipientSet([To(Tomas, RecipientReason.Reviewer), To(Priya, RecipientReason.Author)], 0, []),
    };

    /// <summary>A clock fixed one minute after the events happened, so "expires in ..." is stable.</summary>
    public static TimeProvider Clock { get; } = new FakeTimeProvider(Time.AddMinutes(1));

    public static NotificationOptions Options { get; } = new()
    {
        BaseUrl = new Uri("https://git.example.com/"),
        SubjectPrefix = "[Bitbucket]",
    };

    public static Mailbox From { get; } = new("noreply@example.com", "Code Review");

    public static EmailRenderer Renderer() => new(Options, From, Clock);
}
