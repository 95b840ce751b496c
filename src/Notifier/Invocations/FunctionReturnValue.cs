using System.Text.Json;

namespace Notifier.Invocations;

/// <summary>
/// What a queue function returns to the host (<c>ReturnValue</c> of the answer): the outcome of the message,
/// which the host shows in its invocation log.
/// </summary>
/// <param name="Outcome"><c>delivered</c>, <c>dropped</c> or <c>rejected</c>.</param>
/// <param name="EventId">The event's id when it could be read.</param>
/// <param name="Reason">Why it was dropped or rejected; null when delivered.</param>
/// <param name="Duplicate">True when the message id was handled before and nobody was mailed again.</param>
internal sealed record FunctionReturnValue(string Outcome, string? EventId, string? Reason, bool Duplicate)
{
    /// <summary><c>{"outcome": …, "eventId": …, "reason": …, "duplicate": …}</c>.</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("outcome", Outcome);
        writer.WriteString("eventId", EventId);
        writer.WriteString("reason", Reason);
        writer.WriteBoolean("duplicate", Duplicate);
        writer.WriteEndObject();
    }
}
