using System.Buffers;

namespace Notifier.Smtp.Client;

/// <summary>
/// The connection as MailKit sees it: what MailKit writes is held until it next reads, and then sent in one
/// piece. SMTP is a dialogue in which the client always waits for a reply after it has said something, so
/// "send before every read" delivers each command group whole, and a message body with its final "." in one
/// segment: MailKit hands over a body in 4 KB blocks and flushes the body and the "." separately, which is
/// one more send and one more wake-up of the server per email. Also safe under TLS: SslStream reads after each
/// handshake flight too.
/// </summary>
/// <remarks>
/// <see cref="Flush"/> does not send by itself, on purpose; the next read does. More than
/// <see cref="Capacity"/> bytes waiting are sent at once. Unsent bytes are discarded when the connection is
/// disposed: a session is only closed after its last reply was read.
/// </remarks>
internal sealed class ReplyBoundStream(Stream inner) : Stream
{
    /// <summary>Bytes held before they are sent without waiting for a read.</summary>
    public const int Capacity = 64 * 1024;

    private byte[] _pending = [];
    private int _count;

    public override bool CanRead => true;

    public override bool CanWrite => true;

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

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        Send();
        return inner.Read(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await SendAsync(cancellationToken).ConfigureAwait(false);
        return await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_count + buffer.Length > Capacity)
        {
            Send();
            if (buffer.Length > Capacity)
            {
                inner.Write(buffer);
                return;
            }
        }

        Append(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_count + buffer.Length > Capacity)
        {
            return SendThenWriteAsync(buffer, cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
        Append(buffer.Span);
        return ValueTask.CompletedTask;
    }

    /// <summary>Nothing is sent here: the next read sends everything written since the last one.</summary>
    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested ? Task.FromCanceled(cancellationToken) : Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            Release();
        }

        base.Dispose(disposing);
    }

    private async ValueTask SendThenWriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        await SendAsync(cancellationToken).ConfigureAwait(false);
        if (buffer.Length > Capacity)
        {
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            Append(buffer.Span);
        }
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_count + bytes.Length > _pending.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_count + bytes.Length, Math.Min(Capacity, Math.Max(_pending.Length * 2, 8192))));
            _pending.AsSpan(0, _count).CopyTo(larger);
            if (_pending.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_pending);
            }

            _pending = larger;
        }

        bytes.CopyTo(_pending.AsSpan(_count));
        _count += bytes.Length;
    }

    private void Send()
    {
        if (_count > 0)
        {
            var count = _count;
            _count = 0;
            inner.Write(_pending, 0, count);
        }
    }

    private async ValueTask SendAsync(CancellationToken cancellationToken)
    {
        if (_count > 0)
        {
            var count = _count;
            _count = 0;
            await inner.WriteAsync(_pending.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
        }
    }

    private void Release()
    {
        var pending = _pending;
        _pending = [];
        _count = 0;
        if (pending.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(pending);
        }
    }
}
