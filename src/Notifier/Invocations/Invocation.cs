using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;

namespace Notifier.Invocations;

/// <summary>
/// One call from the Functions host: <c>{"Data": {binding: value}, "Metadata": {...}}</c>, with the Service
/// Bus message properties this app uses already read (in whichever encoding the host chose). The request is
/// read once into one buffer of at most <see cref="MaxBytes"/> (pooled up to 1 MB) and parsed in place (the
/// document points into that buffer), so a large invocation costs one copy of its bytes, released on dispose.
/// </summary>
internal sealed class Invocation : IDisposable
{
    /// <summary>
    /// Largest invocation read (4 MiB): the base64 of a body of up to 3 MiB, less a little for its metadata. Bodies above 256 KB are
    /// rejected anyway (and kept whole in a blob); an invocation above this is refused before or while it is
    /// read, so the message goes back to its queue and is dead-lettered intact after its retries.
    /// </summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    private const int InitialBuffer = 16 * 1024;

    private readonly bool _gated;
    private byte[]? _buffer;
    private (string Binding, ReadOnlyMemory<byte> Body)? _body;

    private Invocation(byte[] buffer, bool gated, JsonDocument document, JsonElement data, JsonElement metadata)
    {
        _buffer = buffer;
        _gated = gated;
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

    /// <summary>True when a request of <paramref name="contentLength"/> bytes is refused without reading it.</summary>
    public static bool IsTooLarge(long? contentLength) => contentLength > MaxBytes;

    /// <summary>
    /// Reads the host's request; no invocation but a reason when it is not an invocation at all or is larger than
    /// <see cref="MaxBytes"/> (then reading stops there: nothing past the limit is buffered).
    /// </summary>
    public static async Task<InvocationRead> ReadAsync(Stream body, CancellationToken cancellationToken, long? contentLength = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (contentLength is { } declared && IsTooLarge(declared))
        {
            return InvocationRead.Oversized(TooLarge(declared));
        }

        var gated = false;
        byte[] buffer = [];
        void Release()
        {
            ReturnBuffer(buffer);
            if (gated)
            {
                LargeInvocations.Release();
            }
        }

        async ValueTask<byte[]> RentAsync(int size)
        {
            if (size > PooledBufferLimit && !gated)
            {
                await LargeInvocations.WaitAsync(cancellationToken);
                gated = true;
            }

            return RentBuffer(size);
        }

        var length = 0;
        try
        {
            buffer = await RentAsync(contentLength is { } known ? (int)known + 1 : InitialBuffer);
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > MaxBytes)
                    {
                        Release();
                        return InvocationRead.Oversized(TooLarge(length));
                    }

                    var larger = await RentAsync(Math.Min(buffer.Length * 2, MaxBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ReturnBuffer(buffer);
                    buffer = larger;
                }

                var read = await body.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, MaxBytes + 1) - length), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > MaxBytes)
                {
                    Release();
                    return InvocationRead.Oversized(TooLarge(length));
                }
            }
        }
        catch
        {
            Release();
            throw;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(buffer.AsMemory(0, length));
        }
        catch (JsonException ex)
        {
            Release();
            return InvocationRead.Failed($"the invocation is not JSON: {ex.Message}");
        }

        var root = HostValue.Unwrap(document.RootElement);
        if (root.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            Release();
            return InvocationRead.Failed("the invocation is not a JSON object with Data and Metadata");
        }

        var data = TryGet(root, "Data") is { } d ? HostValue.Unwrap(d) : default;
        var metadata = TryGet(root, "Metadata") is { } m ? HostValue.Unwrap(m) : default;
        return InvocationRead.Read(new Invocation(buffer, gated, document, data, metadata));
    }

    /// <summary>Releases the document, then the buffer it points into.</summary>
    public void Dispose()
    {
        Document.Dispose();
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ReturnBuffer(buffer);
            if (_gated)
            {
                LargeInvocations.Release();
            }
        }
    }

    /// <summary>
    /// Buffers up to this size come from the shared pool; larger ones (only bodies well over the 256 KB
    /// message limit need them) are allocated for the one invocation and left to the GC. The shared pool keeps
    /// an array per thread and several per core for every size it has seen, so pooling 4 MB buffers kept
    /// hundreds of megabytes alive after a burst of large requests (bench/README-app.md, hostile load).
    /// </summary>
    private const int PooledBufferLimit = 1024 * 1024;

    /// <summary>
    /// How many invocations over <see cref="PooledBufferLimit"/> are read and handled at once; the others wait
    /// before their body is read (Kestrel holds at most 1 MB of each meanwhile). Each holds its buffer and
    /// several large strings while it is parsed, rejected and answered, so this bounds that memory whatever
    /// the host's concurrency (16 calls); normal events are far smaller and never wait here.
    /// </summary>
    private const int LargeInvocationsAtOnce = 2;

    private static readonly SemaphoreSlim LargeInvocations = new(LargeInvocationsAtOnce, LargeInvocationsAtOnce);

    private static byte[] RentBuffer(int length) =>
        length <= PooledBufferLimit ? ArrayPool<byte>.Shared.Rent(length) : GC.AllocateUninitializedArray<byte>(length);

    private static void ReturnBuffer(byte[] buffer)
    {
        // Rented arrays are never longer than the limit (a power of two); allocated ones always are.
        if (buffer.Length is > 0 and <= PooledBufferLimit)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static string TooLarge(long length) =>
        $"the invocation is larger than {MaxBytes / (1024 * 1024)} MB (at least {length} bytes); it was not read, so the message goes back to its queue and is dead-lettered with its body after its retries";

    /// <summary>
    /// The message body of a binding (empty when there is none). Base64 as the host writes it for a binary
    /// binding is decoded where it lies, over its own text in the invocation's buffer, so even a 3 MB body is
    /// never copied; other forms are read by <see cref="HostValue.AsBody"/>. Read once and kept: the base64
    /// text is gone after the first call. Valid until the invocation is disposed.
    /// </summary>
    public ReadOnlyMemory<byte> Body(string binding)
    {
        if (_body is { } read && read.Binding == binding)
        {
            return read.Body;
        }

        var body = Decode(Binding(binding));
        _body = (binding, body);
        return body;
    }

    private ReadOnlyMemory<byte> Decode(JsonElement? binding)
    {
        if (binding is not { } value)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        if (_buffer is { } buffer && value.ValueKind == JsonValueKind.String)
        {
            var raw = HostValue.StringText(value);
            // Checked whole before a byte is overwritten.
            if (HostValue.IsPlainBase64(raw) && buffer.AsSpan().Overlaps(raw, out var offset)
                && Base64.DecodeFromUtf8InPlace(buffer.AsSpan(offset, raw.Length), out var written) == OperationStatus.Done)
            {
                return buffer.AsMemory(offset, written);
            }
        }

        return HostValue.AsBody(value);
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
