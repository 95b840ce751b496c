namespace Notifier.Notifications.Batching;

/// <summary>What one flush did.</summary>
/// <param name="Digests">Digests taken out of the store (claimed by this flush).</param>
/// <param name="Items">Updates in them.</param>
/// <param name="Delivered">Digests the mail server accepted.</param>
/// <param name="Dropped">Digests whose send failed: dropped whole, never retried.</param>
/// <param name="Error">Why the flush stopped early (store unreachable); null when it ran to the end.</param>
public sealed record FlushResult(int Digests, int Items, int Delivered, int Dropped, string? Error)
{
    /// <summary>One line for logs, the CLI and the host's invocation log.</summary>
    public override string ToString() =>
        $"flushed {Digests} digest(s) with {Items} update(s): {Delivered} sent, {Dropped} dropped"
        + (Error is null ? string.Empty : $"; stopped early: {Error}");
}
