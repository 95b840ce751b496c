using Notifier.Functions;
using Notifier.Notifications.Events;

namespace Notifier.Publishing;

/// <summary>
/// Checks every event before anything is sent: each must parse as the queue functions parse it (canonical, or a
/// Bitbucket body with its <c>eventKey</c>), belong to a queue, have an id Service Bus takes as a message id,
/// and have an id no other event of the same run has (the queue function takes a repeated message id for a
/// redelivery and mails nobody about it).
/// </summary>
internal static class OutgoingEventChecker
{
    /// <summary>Service Bus refuses longer message ids.</summary>
    public const int MaxMessageIdLength = 128;

    /// <summary>The events ready to send, in input order, and one line per invalid event (origin and reason).</summary>
    public static (IReadOnlyList<OutgoingEvent> Events, IReadOnlyList<string> Problems) Check(IEnumerable<(string Origin, ReadOnlyMemory<byte> Body)> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var parser = new EventParser();
        var events = new List<OutgoingEvent>();
        var problems = new List<string>();
        var firstOrigin = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (origin, body) in items)
        {
            var parsed = parser.Parse(body.Span);
            if (Problem(parsed, firstOrigin, out var queue) is { } problem)
            {
                problems.Add($"{origin}: invalid: {problem}");
            }
            else if (parsed is { EventId: { } id, EventType: { } type } && queue is not null)
            {
                firstOrigin[id] = origin;
                events.Add(new OutgoingEvent(origin, queue, id, type, body));
            }
        }

        return (events, problems);
    }

    private static string? Problem(EventParseResult parsed, Dictionary<string, string> firstOrigin, out string? queue)
    {
        queue = null;
        if (parsed.Error is { } error)
        {
            return error;
        }

        // A valid Bitbucket key that mails nobody (pr:comment:deleted) still goes to its queue: that is what
        // Bitbucket itself would send.
        var category = parsed.IsSuccess ? parsed.Event.Category : parsed.EventType is { } key ? BitbucketEventKeys.CategoryOf(key) : null;
        queue = FunctionCatalog.QueueFunctions.FirstOrDefault(f => f.Category == category)?.Queue;
        return parsed.EventId switch
        {
            _ when queue is null => $"{parsed.EventType} belongs to no event queue",
            null => "the event has no id",
            { Length: > MaxMessageIdLength } id => $"id is {id.Length} characters; a Service Bus message id has at most {MaxMessageIdLength}",
            { } id when firstOrigin.TryGetValue(id, out var first) => $"id {id} is also the id of {first}; the queue function would take the second for a redelivery and mail nobody",
            _ => null,
        };
    }
}
