namespace Notifier.Notifications.Events;

/// <summary>
/// Reads a canonical event or a Bitbucket Data Center webhook body. Never throws for bad input: every
/// problem becomes <see cref="EventParseResult.Error"/>.
/// </summary>
public sealed class EventParser
{
    /// <param name="utf8Body">The message body.</param>
    /// <param name="eventKey">A Bitbucket <c>X-Event-Key</c> from the message's properties, when there is one.</param>
    public EventParseResult Parse(ReadOnlySpan<byte> utf8Body, string? eventKey = null) =>
        throw new NotImplementedException("issue 3: event parser");
}
