using System.Text;
using Notifier.Invocations;

namespace Notifier.Tests.Invocations;

/// <summary>Reading the host's request: once, in place, and never past the limit.</summary>
public sealed class InvocationReadTests
{
    [Fact]
    public async Task AnEndlessRequestIsRefusedAfterTheLimitWithoutReadingFurther()
    {
        await using var endless = new EndlessStream();

        var (invocation, error) = await Invocation.ReadAsync(endless, CancellationToken.None);

        Assert.Null(invocation);
        Assert.Contains("larger than 4 MB", error, StringComparison.Ordinal);
        Assert.True(endless.BytesRead <= Invocation.MaxBytes + 1, $"read {endless.BytesRead} bytes");
    }

    [Fact]
    public async Task ARequestWhoseLengthIsOverTheLimitIsNotReadAtAll()
    {
        await using var endless = new EndlessStream();

        var (invocation, error) = await Invocation.ReadAsync(endless, CancellationToken.None, contentLength: Invocation.MaxBytes + 1L);

        Assert.Null(invocation);
        Assert.NotNull(error);
        Assert.Equal(0, endless.BytesRead);
    }

    [Fact]
    public async Task ABase64BodyIsDecodedExactlyAndTheMetadataRead()
    {
        var body = Encoding.UTF8.GetBytes(new string('"', 300_000) + "é");
        var json = $"{{\"Data\":{{\"message\":\"{Convert.ToBase64String(body)}\"}},\"Metadata\":{{\"MessageId\":\"\\\"m-1\\\"\",\"DeliveryCount\":\"2\"}}}}";
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json));

        var (invocation, error) = await Invocation.ReadAsync(stream, CancellationToken.None, stream.Length);

        Assert.Null(error);
        using (invocation)
        {
            Assert.Equal(body, HostValue.AsBody(invocation!.Binding("message")!.Value));
            Assert.Equal("m-1", invocation.MessageId);
            Assert.Equal(2, invocation.DeliveryCount);
        }
    }

    [Fact]
    public async Task ABinaryBodyIsDecodedInPlaceWithoutCopyingIt()
    {
        var body = Encoding.UTF8.GetBytes(new string('é', 500_000));
        using var invocation = await ReadAsync($"{{\"Data\":{{\"message\":\"{Convert.ToBase64String(body)}\"}},\"Metadata\":{{\"MessageId\":\"m-2\"}}}}");

        var before = GC.GetAllocatedBytesForCurrentThread();
        var decoded = invocation.Body("message");
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(decoded.Span.SequenceEqual(body));
        Assert.True(allocated < body.Length / 10, $"allocated {allocated} bytes for a {body.Length}-byte body");
        Assert.True(invocation.Body("message").Span.SequenceEqual(body), "a second read returns the same body");
        Assert.Equal("m-2", invocation.MessageId);
    }

    [Fact]
    public async Task Base64WithJsonEscapesAndTextBodiesAreStillReadExactly()
    {
        // "+" written as \u002B, as some JSON writers do; the in-place path leaves it to the general reader.
        var body = new byte[] { 0xFB, 0xEF, 0xBE, 0x01, 0x02 };
        var escaped = Convert.ToBase64String(body).Replace("+", "\\u002B", StringComparison.Ordinal);
        using var binary = await ReadAsync($"{{\"Data\":{{\"message\":\"{escaped}\"}},\"Metadata\":{{}}}}");
        using var text = await ReadAsync("{\"Data\":{\"message\":{\"id\":\"e-1\"}},\"Metadata\":{}}");

        Assert.Equal(body, binary.Body("message").ToArray());
        Assert.Equal("{\"id\":\"e-1\"}", Encoding.UTF8.GetString(text.Body("message").Span));
    }

    [Fact]
    public async Task OnlyTwoLargeInvocationsAreHeldAtOnceTheNextWaitsBeforeReadingItsBody()
    {
        var large = $"{{\"Data\":{{\"message\":\"{Convert.ToBase64String(new byte[1_500_000])}\"}},\"Metadata\":{{}}}}";
        var first = await ReadAsync(large);
        var second = await ReadAsync(large);
        using var third = new MemoryStream(Encoding.UTF8.GetBytes(large));

        var waiting = Invocation.ReadAsync(third, CancellationToken.None, third.Length);
        var finished = await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromMilliseconds(500)));

        Assert.NotSame(waiting, finished);
        Assert.Equal(0, third.Position);
        first.Dispose();
        using var read = (await waiting.WaitAsync(TimeSpan.FromSeconds(30))).Invocation;
        Assert.NotNull(read);
        second.Dispose();
    }

    private static async Task<Invocation> ReadAsync(string json)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json));
        var (invocation, error) = await Invocation.ReadAsync(stream, CancellationToken.None, stream.Length);
        Assert.Null(error);
        return invocation!;
    }

    /// <summary>A request body that never ends, counting what was read from it.</summary>
    private sealed class EndlessStream : Stream
    {
        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            buffer.AsSpan(offset, count).Fill((byte)' ');
            BytesRead += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
