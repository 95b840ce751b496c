using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Notifier.Invocations;

/// <summary>
/// One call from the Functions host: <c>{"Data": {binding: value}, "Metadata": {...}}</c>, with the Service
/// Bus message properties this app uses already read (in whichever encoding the host chose).
/// </summary>
internal sealed class Invocation
{
    private Invocation(JsonDocument document, JsonElement data, JsonElement metadata)
    {
        Document = document;
        Data = data;
        Metadata = metadata;
        MessageId = ReadMetadataString("MessageId");
        DeliveryCount = Metadata.ValueKind == JsonValueKind.Object && Metadata.TryGetProperty("DeliveryCount", out var count) ? HostValue.AsInt(count) : null;
        ContentType = ReadMetadataString("ContentType");
        EventKey = ReadEventKey();
    }

    public JsonDocument Document { get; }

    public JsonElement Data { get; }

    public JsonElement Metadata { get; }

    public string? MessageId { get; }

    public int? DeliveryCount { get; }

    public string? ContentType { get; }

    /// <summary>A Bitbucket <c>X-Event-Key</c> from the message's application properties.</summary>
    public string? EventKey { get; }

    /// <summary>The request body as the host sent it, read whole (an invocation is parsed only once it is all here).</summary>
    public static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(Stream body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer, cancellationToken);
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    /// <summary>
    /// Reads the host's request. False, with a reason an admin can act on, when it is not an invocation at all.
    /// The invocation keeps <paramref name="json"/>: do not reuse its memory while the invocation is in use.
    /// </summary>
    public static bool TryParse(ReadOnlyMemory<byte> json, [NotNullWhen(true)] out Invocation? invocation, [NotNullWhen(false)] out string? error)
    {
        invocation = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            error = $"the invocation is not JSON: {ex.Message}";
            return false;
        }

        var root = HostValue.Unwrap(document.RootElement);
        if (root.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            error = "the invocation is not a JSON object with Data and Metadata";
            return false;
        }

        var data = TryGet(root, "Data") is { } d ? HostValue.Unwrap(d) : default;
        var metadata = TryGet(root, "Metadata") is { } m ? HostValue.Unwrap(m) : default;
        invocation = new Invocation(document, data, metadata);
        error = null;
        return true;
    }

    /// <summary>
    /// The value of a binding in Data: by name, else the only value (so a renamed binding still works).
    /// </summary>
    public JsonElement? Binding(string name)
    {
        if (Data.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (TryGet(Data, name) is { } value)
        {
            return value;
        }

        JsonElement? only = null;
        foreach (var property in Data.EnumerateObject())
        {
            if (only is not null)
            {
                return null;
            }

            only = property.Value;
        }

        return only;
    }

    private string? ReadMetadataString(string name) =>
        Metadata.ValueKind == JsonValueKind.Object && TryGet(Metadata, name) is { } value ? HostValue.AsString(value) : null;

    private string? ReadEventKey()
    {
        if (Metadata.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        // Service Bus SDKs call them ApplicationProperties; the older extension said UserProperties.
        foreach (var name in (ReadOnlySpan<string>)["ApplicationProperties", "UserProperties"])
        {
            if (TryGet(Metadata, name) is { } raw && HostValue.AsObject(raw) is { } properties
                && TryGet(properties, "X-Event-Key") is { } key)
            {
                return HostValue.AsString(key);
            }
        }

        return TryGet(Metadata, "X-Event-Key") is { } direct ? HostValue.AsString(direct) : null;
    }

    /// <summary>Property lookup ignoring case: the host's casing of names has varied between versions.</summary>
    internal static JsonElement? TryGet(JsonElement obj, string name)
    {
        if (obj.TryGetProperty(name, out var exact))
        {
            return exact;
        }

        foreach (var property in obj.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }
}
