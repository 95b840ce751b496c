namespace Notifier.Notifications.Events;

/// <summary>
/// The subject of an account email: the user and the link they must follow (set-password for
/// <c>account.created</c>, reset for <c>account.password-reset</c>). The link is a bearer secret:
/// <see cref="ToString"/> redacts it so a logged event never leaks it.
/// </summary>
public sealed record Account
{
    public required User User { get; init; }

    /// <summary>The set-password or reset link. Must be https and start with <c>Notifications__BaseUrl</c>.</summary>
    public required Uri Link { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public override string ToString() => $"Account {{ User = {User}, Link = [redacted], ExpiresAt = {ExpiresAt:O} }}";
}
