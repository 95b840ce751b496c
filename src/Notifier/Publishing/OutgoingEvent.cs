namespace Notifier.Publishing;

/// <summary>One checked event ready to send: its exact body, the queue its category belongs on, and its id.</summary>
/// <param name="Origin">Where it was read (a file, <c>FILE:LINE</c> in a .jsonl file, <c>stdin:LINE</c>), for the report.</param>
/// <param name="Queue">The event queue of its category.</param>
/// <param name="EventId">The event's id, sent as the message id.</param>
/// <param name="EventType">The canonical type, or the Bitbucket key of an event Bitbucket mails nobody about.</param>
/// <param name="Body">The bytes as read, sent unchanged.</param>
internal sealed record OutgoingEvent(string Origin, string Queue, string EventId, string EventType, ReadOnlyMemory<byte> Body);
