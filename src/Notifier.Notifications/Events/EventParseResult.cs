namespace Notifier.Notifications.Events;

/// <summary>
/// The outcome of parsing a message body: an event, or the precise reason it was rejected. Id and type are
/// filled in whenever they could be read, so even a rejection can be logged with them.
/// </summary>
public sealed record EventParseResult
{
    public NotificationEvent? Event { get; init; }

    /// <summary>Which field and what is wrong, e.g. <c>pullRequest.title: required</c>; null on success.</summary>
    public string? Error { get; init; }

    public string? EventId { get; init; }

    public string? EventType { get; init; }

    public bool IsSuccess => Event is not null;

    public static EventParseResult Success(NotificationEvent notificationEvent) =>
        new() { Event = notificationEvent, EventId = notificationEvent.Id, EventType = notificationEvent.Type };

    public static EventParseResult Failure(string error, string? eventId = null, string? eventType = null) =>
        new() { Error = error, EventId = eventId, EventType = eventType };
}
