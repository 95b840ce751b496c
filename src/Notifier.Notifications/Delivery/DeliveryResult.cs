using System.Diagnostics.CodeAnalysis;
using Notifier.Smtp;

namespace Notifier.Notifications.Delivery;

/// <summary>What happened to one event: the outcome and what an admin needs to read in the log.</summary>
/// <param name="Outcome">Delivered, dropped or rejected.</param>
/// <param name="Reason">Why it was dropped or rejected; null when delivered. Never holds a link or a credential.</param>
/// <param name="EventId">The event's id when it could be read.</param>
/// <param name="EventType">The canonical type when it could be read.</param>
/// <param name="RecipientCount">People the event should reach.</param>
/// <param name="MessagesSent">Emails the server accepted.</param>
/// <param name="ServerReply">The server's last reply to DATA, e.g. <c>250 2.0.0 Ok: queued</c>.</param>
/// <param name="Refused">Recipients the server refused, with its replies.</param>
public sealed record DeliveryResult(
    DeliveryOutcome Outcome,
    string? Reason,
    string? EventId,
    string? EventType,
    int RecipientCount,
    int MessagesSent,
    string? ServerReply,
    IReadOnlyList<RecipientRefusal> Refused)
{
    /// <summary>Recipients whose email waits in a digest instead of being sent now.</summary>
    public int Batched { get; init; }

    /// <summary>True for a rejected event, which always has its <see cref="Reason"/>.</summary>
    [MemberNotNullWhen(true, nameof(Reason))]
    public bool IsRejected => Outcome == DeliveryOutcome.Rejected && Reason is not null;

    public static DeliveryResult Rejected(string reason, string? eventId, string? eventType) =>
        new(DeliveryOutcome.Rejected, reason, eventId, eventType, 0, 0, null, []);

    /// <summary>One line for logs, the CLI and the host's invocation log.</summary>
    public override string ToString()
    {
        var subject = $"event {EventId ?? "unknown"} ({EventType ?? "unknown type"})";
        return Outcome switch
        {
            DeliveryOutcome.Delivered when RecipientCount == 0 => $"delivered {subject}: nobody to notify",
            DeliveryOutcome.Delivered => $"delivered {subject}: {MessagesSent} email(s) for {RecipientCount} recipient(s)"
                + (Refused.Count > 0 ? $", {Refused.Count} refused" : string.Empty)
                + Waiting
                + (ServerReply is null ? string.Empty : $"; server: {ServerReply}"),
            DeliveryOutcome.Batched => $"batched {subject}: waiting in {Batched} digest(s)",
            DeliveryOutcome.Dropped => $"dropped {subject}: {Reason}{Waiting}",
            _ => $"rejected {subject}: {Reason}",
        };
    }

    private string Waiting => Batched > 0 ? $", {Batched} more waiting in digests" : string.Empty;
}
