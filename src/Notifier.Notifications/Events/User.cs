namespace Notifier.Notifications.Events;

/// <summary>A person on the code-hosting site. <see cref="Email"/> may be missing (Bitbucket omits it at times).</summary>
public sealed record User(string Name, string? DisplayName, string? Email)
{
    /// <summary>The display name, or the user name when there is none.</summary>
    public string Label => string.IsNullOrWhiteSpace(DisplayName) ? Name : DisplayName;
}
