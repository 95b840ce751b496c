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

    /// <summary>Reads the host's request; null with a reason when it is not an invocation at all.</summary>
    public static async Task<(Invocation? Invocation, string? Error)> ReadAsync(Stream body, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(body, default, cancellationToken);
        }
        catch (JsonException ex)
        {
            return (null, $"the invocation is not JSON: {ex.Message}");
        }

        var root = HostValue.Unwrap(document.RootElement);
        if (root.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            return (null, "the invocation is not a JSON object with Data and Metadata");
        }

        var data = TryGet(root, "Data") is { } d ? HostValue.Unwrap(d) : default;
        var metadata = TryGet(root, "Metadata") is { } m ? HostValue.Unwrap(m) : default;
        return (new Invocation(document, data, metadata), null);
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
