using System.Diagnostics.CodeAnalysis;

namespace Notifier.Notifications.Events;

/// <summary>
/// The outcome of parsing a message body: an event, or the precise reason it was rejected. Id and type are
/// filled in whenever they could be read, so even a rejection can be logged with them.
/// </summary>
public sealed record EventParseResult
{
    public NotificationEvent? Event { get; private init; }

    /// <summary>Which field and what is wrong, e.g. <c>pullRequest.title: required</c>; null on success.</summary>
    public string? Error { get; private init; }

    public string? EventId { get; private init; }

    public string? EventType { get; private init; }

    /// <summary>True with the <see cref="Event"/>; false with the <see cref="Error"/>.</summary>
    [MemberNotNullWhen(true, nameof(Event))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess
    {
        get
        {
            if (Event is not null)
            {
                return true;
            }

            // Success and Failure are the only way in, and each fills one side.
            return Error is null ? throw new InvalidOperationException("a parse result has neither an event nor an error") : false;
        }
    }

    public static EventParseResult Success(NotificationEvent notificationEvent) =>
        new() { Event = notificationEvent, EventId = notificationEvent.Id, EventType = notificationEvent.Type };

    public static EventParseResult Failure(string error, string? eventId = null, string? eventType = null) =>
        new() { Error = error, EventId = eventId, EventType = eventType };
}
