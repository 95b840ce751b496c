using System.Text;
using Notifier.Smtp.Client;

namespace Notifier.Smtp.Tests.Client;

public sealed class CoalescingStreamTests
{
    [Fact]
    public async Task WritesAreHeldUntilAFlushAndThenSentAsOne()
    {
        var connection = new RecordingStream();
        await using var stream = new CoalescingStream(connection);

        await stream.WriteAsync(Encoding.ASCII.GetBytes("MAIL FROM:<a@example.com>\r\n"));
        await stream.WriteAsync(Encoding.ASCII.GetBytes("RCPT TO:<b@example.com>\r\n"));
        Assert.Empty(connection.Log);

        await stream.FlushAsync();

        Assert.Equal(["write MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\n", "flush"], connection.Log);
    }

    [Fact]
    public async Task AReadSendsWhatIsHeldFirstSoNoCommandWaitsForItsReply()
    {
        var connection = new RecordingStream("250 OK\r\n");
        await using var stream = new CoalescingStream(connection);

        await stream.WriteAsync(Encoding.ASCII.GetBytes("NOOP\r\n"));
        var reply = new byte[64];
        var read = await stream.ReadAsync(reply);

        Assert.Equal("250 OK\r\n", Encoding.ASCII.GetString(reply, 0, read));
        Assert.Equal(["write NOOP\r\n", "read"], connection.Log);
    }

    [Fact]
    public void SynchronousReadsAndWritesKeepTheSameOrder()
    {
        var connection = new RecordingStream("220 ready\r\n");
        using var stream = new CoalescingStream(connection);

        stream.Write(Encoding.ASCII.GetBytes("EHLO a\r\n"));
        _ = stream.Read(new byte[64]);

        Assert.Equal(["write EHLO a\r\n", "read"], connection.Log);
    }

    [Fact]
    public async Task MoreThanTheCapacityGoesOutInPiecesOfTheCapacity()
    {
        var connection = new RecordingStream();
        await using var stream = new CoalescingStream(connection);
        var data = new byte[(2 * CoalescingStream.Capacity) + 100];
        Random.Shared.NextBytes(data);

        await stream.WriteAsync(data.AsMemory(0, 10));
        await stream.WriteAsync(data.AsMemory(10));
        await stream.FlushAsync();

        Assert.Equal([CoalescingStream.Capacity, CoalescingStream.Capacity, 100], connection.Writes.Select(w => w.Length));
        Assert.Equal(data, connection.Writes.SelectMany(w => w));
    }

    [Fact]
    public void DisposingSendsWhatIsHeldAndClosesTheConnection()
    {
        var connection = new RecordingStream();
        var stream = new CoalescingStream(connection);
        stream.Write(Encoding.ASCII.GetBytes("QUIT\r\n"));

        stream.Dispose();

        Assert.Equal(["write QUIT\r\n"], connection.Log);
        Assert.True(connection.Disposed);
    }

    [Fact]
    public void DisposingAConnectionThatIsGoneDoesNotThrow()
    {
        var connection = new RecordingStream { FailWrites = true };
        var stream = new CoalescingStream(connection);
        stream.Write(Encoding.ASCII.GetBytes("QUIT\r\n"));

        stream.Dispose();

        Assert.True(connection.Disposed);
    }

    /// <summary>A connection that records the calls it gets and answers reads with a fixed reply.</summary>
    private sealed class RecordingStream(string reply = "") : Stream
    {
        private readonly MemoryStream _reply = new(Encoding.ASCII.GetBytes(reply));

        public List<string> Log { get; } = [];

        public List<byte[]> Writes { get; } = [];

        public bool Disposed { get; private set; }

        public bool FailWrites { get; init; }

        public override bool CanRead => true;

        public override bool CanWrite => true;

        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => Log.Add("flush");

        public override int Read(byte[] buffer, int offset, int count)
        {
            Log.Add("read");
            return _reply.Read(buffer, offset, count);
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            if (FailWrites)
            {
                throw new IOException("connection reset");
            }

            Writes.Add(buffer.AsSpan(offset, count).ToArray());
            Log.Add("write " + Encoding.ASCII.GetString(buffer, offset, count));
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
