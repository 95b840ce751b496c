using System.Buffers;
using System.Text;

namespace Notifier.Smtp.Mime;

/// <summary>
/// A thin buffered cursor over an <see cref="IBufferWriter{T}"/>: the writer asks for a span once per few KB
/// instead of once per byte, which keeps message writing allocation-free and fast.
/// </summary>
internal ref struct MimeSink
{
    private const int ChunkSize = 4096;

    private readonly IBufferWriter<byte> _output;
    private Span<byte> _span;
    private int _position;

    public MimeSink(IBufferWriter<byte> output)
    {
        _output = output;
        _span = output.GetSpan(ChunkSize);
        _position = 0;
    }

    /// <summary>Returns at least <paramref name="size"/> writable bytes; call <see cref="Commit"/> with what was used.</summary>
    public Span<byte> Reserve(int size)
    {
        if (_span.Length - _position < size)
        {
            _output.Advance(_position);
            _span = _output.GetSpan(Math.Max(size, ChunkSize));
            _position = 0;
        }

        return _span[_position..];
    }

    public void Commit(int count) => _position += count;

    public void Write(byte value)
    {
        Reserve(1)[0] = value;
        _position++;
    }

    public void Write(scoped ReadOnlySpan<byte> bytes)
    {
        while (bytes.Length > 0)
        {
            var size = Math.Min(bytes.Length, ChunkSize);
            bytes[..size].CopyTo(Reserve(size));
            _position += size;
            bytes = bytes[size..];
        }
    }

    public void WriteCrlf()
    {
        var target = Reserve(2);
        target[0] = (byte)'\r';
        target[1] = (byte)'\n';
        _position += 2;
    }

    /// <summary>Writes text as UTF-8 (plain ASCII for everything but non-ASCII addresses).</summary>
    public void WriteText(scoped ReadOnlySpan<char> text)
    {
        while (text.Length > 0)
        {
            // At most 3 bytes per UTF-16 unit; never cut a surrogate pair in two.
            var count = Math.Min(text.Length, ChunkSize / 3);
            if (count < text.Length && char.IsHighSurrogate(text[count - 1]))
            {
                count--;
            }

            // Reserve first, as its own statement: it may flush and reset position, which "position +=" would
            // otherwise have read before the call.
            var target = Reserve(count * 3);
            _position += Encoding.UTF8.GetBytes(text[..count], target);
            text = text[count..];
        }
    }

    /// <summary>Hands everything written so far to the underlying writer.</summary>
    public void Flush()
    {
        _output.Advance(_position);
        _position = 0;
        _span = default;
    }
}
