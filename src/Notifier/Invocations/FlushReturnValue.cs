using System.Text.Json.Serialization;

namespace Notifier.Invocations;

/// <summary>What the FlushBatches timer returns to the host (<c>ReturnValue</c>): what the flush sent.</summary>
/// <param name="Digests">Digests sent.</param>
/// <param name="Items">Notifications those digests held.</param>
/// <param name="Delivered">Digests the mail server accepted.</param>
/// <param name="Dropped">Digests dropped (the mail server failed).</param>
/// <param name="Error">Why the flush stopped early (the store failed); omitted when it finished.</param>
internal sealed record FlushReturnValue(
    [property: JsonPropertyName("digests")] int Digests,
    [property: JsonPropertyName("items")] int Items,
    [property: JsonPropertyName("delivered")] int Delivered,
    [property: JsonPropertyName("dropped")] int Dropped,
    [property: JsonPropertyName("error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error)
{
    public static FlushReturnValue Nothing { get; } = new(0, 0, 0, 0, null);
}
