using System.Buffers;

namespace Notifier.Smtp.Client;

/// <summary>
/// Holds what MailKit writes to the connection until it flushes or reads, then sends it in one piece. MailKit
/// writes a message's data in 4 KB blocks, each its own <c>send</c> on a TCP_NODELAY socket (and its own
/// segment the server must take in): two to three per notification, five for 20 KB. Held here, the data
/// and the final dot go out together. A read first sends whatever is held, so a command is never left waiting
/// here while its reply is awaited, whoever wrote it (MailKit, or the TLS handshake below it).
/// </summary>
internal sealed class CoalescingStream(Stream inner) : Stream
{
    /// <summary>Most bytes held; larger messages go out in pieces of this size.</summary>
    public const int Capacity = 32 * 1024;

    private byte[]? _held;
    private int _count;

    public override bool CanRead => inner.CanRead;

    public override bool CanWrite => inner.CanWrite;

    public override bool CanSeek => false;

    public override bool CanTimeout => inner.CanTimeout;

    public override int ReadTimeout
    {
        get => inner.ReadTimeout;
        set => inner.ReadTimeout = value;
    }

    public override int WriteTimeout
    {
        get => inner.WriteTimeout;
        set => inner.WriteTimeout = value;
    }

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            if (_count == Capacity)
            {
                SendHeld();
            }

            buffer = Hold(buffer);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // The usual case completes at once: the block fits beside what is held.
        if (_count + buffer.Length <= Capacity)
        {
            Hold(buffer.Span);
            return ValueTask.CompletedTask;
        }

        return WriteInPiecesAsync(buffer, cancellationToken);
    }

    public override void Flush()
    {
        SendHeld();
        inner.Flush();
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await SendHeldAsync(cancellationToken);
        await inner.FlushAsync(cancellationToken);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        SendHeld();
        return inner.Read(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _count == 0 ? inner.ReadAsync(buffer, cancellationToken) : SendHeldThenReadAsync(buffer, cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            try
            {
                // A close_notify or QUIT written last still goes out; a connection that is gone already
                // has nothing more to say.
                SendHeld();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // Nothing to do: the buffer went back to the pool all the same.
            }

            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private ReadOnlySpan<byte> Hold(ReadOnlySpan<byte> buffer)
    {
        _held ??= ArrayPool<byte>.Shared.Rent(Capacity);
        var taken = Math.Min(Capacity - _count, buffer.Length);
        buffer[..taken].CopyTo(_held.AsSpan(_count));
        _count += taken;
        return buffer[taken..];
    }

    private async ValueTask WriteInPiecesAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        while (!buffer.IsEmpty)
        {
            if (_count == Capacity)
            {
                await SendHeldAsync(cancellationToken);
            }

            var taken = Math.Min(Capacity - _count, buffer.Length);
            Hold(buffer.Span[..taken]);
            buffer = buffer[taken..];
        }
    }

    private void SendHeld()
    {
        try
        {
            if (_count > 0)
            {
                inner.Write(_held.AsSpan(0, _count));
            }
        }
        finally
        {
            // Sent, or failed: a connection that failed a write is discarded, never written to again.
            Release();
        }
    }

    private async ValueTask SendHeldAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_count > 0)
            {
                await inner.WriteAsync(_held.AsMemory(0, _count), cancellationToken);
            }
        }
        finally
        {
            Release();
        }
    }

    private async ValueTask<int> SendHeldThenReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        await SendHeldAsync(cancellationToken);
        return await inner.ReadAsync(buffer, cancellationToken);
    }

    /// <summary>Nothing is held between exchanges, so an idle pooled connection keeps no buffer.</summary>
    private void Release()
    {
        _count = 0;
        if (_held is { } held)
        {
            _held = null;
            ArrayPool<byte>.Shared.Return(held);
        }
    }
}
