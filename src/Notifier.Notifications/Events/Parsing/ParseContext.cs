namespace Notifier.Notifications.Events.Parsing;

/// <summary>What a reader learnt before it failed, so a rejection can still be logged with the event's id and type.</summary>
internal sealed class ParseContext
{
    public string? EventId { get; set; }

    public string? EventType { get; set; }
}
