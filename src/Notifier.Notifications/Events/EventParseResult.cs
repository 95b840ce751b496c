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

    /// <summary>
    /// Set for a valid event that sends no email by design (e.g. Bitbucket's <c>pr:comment:deleted</c>):
    /// why. Neither a success (there is no event to render) nor an error (nothing is wrong with it).
    /// </summary>
    public string? WithoutEmailReason { get; private init; }

    /// <summary>True with the <see cref="Event"/>; otherwise the result is an <see cref="Error"/> or <see cref="IsWithoutEmail"/>.</summary>
    [MemberNotNullWhen(true, nameof(Event))]
    public bool IsSuccess => Event is not null;

    /// <summary>True with the <see cref="WithoutEmailReason"/> and the event's id and type.</summary>
    [MemberNotNullWhen(true, nameof(WithoutEmailReason), nameof(EventId), nameof(EventType))]
    public bool IsWithoutEmail => WithoutEmailReason is not null && EventId is not null && EventType is not null;

    public static EventParseResult Success(NotificationEvent notificationEvent) =>
        new() { Event = notificationEvent, EventId = notificationEvent.Id, EventType = notificationEvent.Type };

    public static EventParseResult WithoutEmail(string reason, string eventId, string eventType) =>
        new() { WithoutEmailReason = reason, EventId = eventId, EventType = eventType };

    public static EventParseResult Failure(string error, string? eventId = null, string? eventType = null) =>
        new() { Error = error, EventId = eventId, EventType = eventType };
}
