namespace Notifier.Notifications;

/// <summary>Settings <c>Notifications__*</c> (README.md, "Configuration").</summary>
public sealed class NotificationOptions
{
    public const string SectionName = "Notifications";

    /// <summary>Public URL of the code-hosting site; every account-email link must start with it.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>Prepended to every subject, e.g. <c>[Bitbucket]</c>.</summary>
    public string? SubjectPrefix { get; set; }
}
