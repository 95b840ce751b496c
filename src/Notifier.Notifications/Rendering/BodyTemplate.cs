namespace Notifier.Notifications.Rendering;

/// <summary>
/// A body rendered once per event with a hole for the per-recipient reason sentence, so that an event with
/// many recipients is formatted (and its markdown parsed) only once.
/// </summary>
internal sealed record BodyTemplate(string BeforeReason, string AfterReason)
{
    public string Fill(string reason) => string.Concat(BeforeReason, reason, AfterReason);
}
