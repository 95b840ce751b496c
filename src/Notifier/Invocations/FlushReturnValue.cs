using System.Text.Json;

namespace Notifier.Invocations;

/// <summary>What the FlushBatches timer returns to the host (<c>ReturnValue</c>): what the flush sent.</summary>
/// <param name="Digests">Digests sent.</param>
/// <param name="Items">Notifications those digests held.</param>
/// <param name="Delivered">Digests the mail server accepted.</param>
/// <param name="Dropped">Digests dropped (the mail server failed).</param>
/// <param name="Error">Why the flush stopped early (the store failed); omitted when it finished.</param>
internal sealed record FlushReturnValue(int Digests, int Items, int Delivered, int Dropped, string? Error)
{
    public static FlushReturnValue Nothing { get; } = new(0, 0, 0, 0, null);

    /// <summary><c>{"digests": …, "items": …, "delivered": …, "dropped": …}</c>, and <c>"error"</c> when there is one.</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteNumber("digests", Digests);
        writer.WriteNumber("items", Items);
        writer.WriteNumber("delivered", Delivered);
        writer.WriteNumber("dropped", Dropped);
        if (Error is not null)
        {
            writer.WriteString("error", Error);
        }

        writer.WriteEndObject();
    }
}
