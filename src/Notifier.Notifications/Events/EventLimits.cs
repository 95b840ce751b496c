namespace Notifier.Notifications.Events;

/// <summary>
/// Limits on an incoming event. They bound the work one message can cause (parsing, rendering, one email per
/// recipient), so a broken or hostile producer cannot make the notifier spend unbounded time or send mass mail.
/// </summary>
public static class EventLimits
{
    /// <summary>Largest accepted message body: 256 KB.</summary>
    public const int MaxBodyBytes = 256 * 1024;

    /// <summary>Most explicit recipients one event may name; also the limit of every other list in an event.</summary>
    public const int MaxRecipients = 500;

    /// <summary>Deepest JSON nesting accepted (Bitbucket bodies need about 8 levels).</summary>
    public const int MaxDepth = 32;
}
