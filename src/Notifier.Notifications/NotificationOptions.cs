using Notifier.Notifications.Batching;

namespace Notifier.Notifications;

/// <summary>Settings <c>Notifications__*</c> (DESIGN §3).</summary>
public sealed class NotificationOptions
{
    public const string SectionName = "Notifications";

    /// <summary>Public URL of the code-hosting site; every account-email link must start with it.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>Prepended to every subject, e.g. <c>[Bitbucket]</c>.</summary>
    public string? SubjectPrefix { get; set; }

    /// <summary><c>Notifications__Batching__*</c>: digests instead of one email per event.</summary>
    public BatchingOptions Batching { get; set; } = new();
}
