using System.Text;

namespace Notifier.Smtp.Tests.Support;

/// <summary>
/// The server side of an SMTP conversation as a transcript: each client line must match the next expected
/// line, and the canned replies after it are what the client reads. Replies can be delivered one byte per
/// read to shake out buffering bugs. Records every write so tests can assert how commands were batched.
/// </summary>
internal sealed class TranscriptStream : Stream
{
    private readonly Queue<Step> _steps = new();
    private readonly List<byte> _pending = [];
    private readonly List<byte> _lineBuffer = [];
    private readonly bool _oneByteAtATime;
    private readonly object _gate = new();
    private List<string>? _data;

    public TranscriptStream(bool oneByteAtATime = false) => _oneByteAtATime = oneByteAtATime;

    /// <summary>Every Write/WriteAsync call's bytes as text, in order.</summary>
    public List<string> Writes { get; } = [];

    /// <summary>Every line the client sent (without CRLF).</summary>
    public List<string> ClientLines { get; } = [];

    /// <summary>The content of each DATA transaction as received (still dot-stuffed, without the final ".").</summary>
    public List<string> Messages { get; } = [];

    /// <summary>The first deviation from the script, or null.</summary>
    public string? Mismatch { get; private set; }

    public bool Disposed { get; private set; }

    public int ReadCalls { get; private set; }

    /// <summary>The server sends these lines (joined with CRLF).</summary>
    public TranscriptStream Reply(params string[] lines)
    {
        _steps.Enqueue(new Step(StepKind.Reply, string.Concat(lines.Select(l => l + "\r\n"))));
        return this;
    }

    /// <summary>Raw bytes from the server, e.g. a TLS record or a reply without a final CRLF.</summary>
    public TranscriptStream Raw(string text)
    {
        _steps.Enqueue(new Step(StepKind.Reply, text));
        return this;
    }

    /// <summary>The client must send exactly this line.</summary>
    public TranscriptStream Expect(string line)
    {
        _steps.Enqueue(new Step(StepKind.Expect, line));
        return this;
    }

    /// <summary>The client must send a line starting with this text (e.g. "EHLO ").</summary>
    public TranscriptStream ExpectPrefix(string prefix)
    {
        _steps.Enqueue(new Step(StepKind.ExpectPrefix, prefix));
        return this;
    }

    /// <summary>The client sends message content up to the "." line; it is kept in <see cref="Messages"/>.</summary>
    public TranscriptStream ExpectContent()
    {
        _steps.Enqueue(new Step(StepKind.Content, ""));
        return this;
    }

    /// <summary>The server goes silent: reads wait until cancelled.</summary>
    public TranscriptStream Stall()
    {
        _steps.Enqueue(new Step(StepKind.Stall, ""));
        return this;
    }

    /// <summary>The server closes the connection: reads return 0.</summary>
    public TranscriptStream Hangup()
    {
        _steps.Enqueue(new Step(StepKind.Close, ""));
        return this;
    }

    /// <summary>The usual start: greeting and an EHLO answered with these extensions.</summary>
    public TranscriptStream Greet(params string[] extensions)
    {
        Reply("220 mail.example.com ESMTP test");
        ExpectPrefix("EHLO ");
        return Reply([.. extensions.Length == 0 ? ["250 mail.example.com"] : Multiline(250, ["mail.example.com", .. extensions])]);
    }

    /// <summary>A plain successful transaction from noreply@ to jane@ (replies 250, 250, 354, "250 queued").</summary>
    public TranscriptStream AcceptMessage() =>
        Expect("MAIL FROM:<noreply@example.com>").Reply("250 ok")
            .Expect("RCPT TO:<jane@example.com>").Reply("250 ok")
            .Expect("DATA").Reply("354 go ahead")
            .ExpectContent().Reply("250 queued");

    public static string[] Multiline(int code, string[] texts) =>
        [.. texts.Select((t, i) => $"{code}{(i == texts.Length - 1 ? ' ' : '-')}{t}")];

    /// <summary>True when the script ran to its end without deviation.</summary>
    public void AssertCompleted()
    {
        Assert.Null(Mismatch);
        lock (_gate)
        {
            Assert.True(_steps.Count == 0, "unfinished transcript, next step: " + (_steps.Count > 0 ? _steps.Peek().ToString() : ""));
        }
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ReadCalls++;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Step? next;
            lock (_gate)
            {
                if (_pending.Count > 0)
                {
                    var n = Math.Min(_oneByteAtATime ? 1 : buffer.Length, _pending.Count);
                    for (var i = 0; i < n; i++)
                    {
                        buffer.Span[i] = _pending[i];
                    }

                    _pending.RemoveRange(0, n);
                    return n;
                }

                next = _steps.Count > 0 ? _steps.Peek() : null;
                if (next?.Kind == StepKind.Reply)
                {
                    _steps.Dequeue();
                    _pending.AddRange(Encoding.UTF8.GetBytes(next.Text));
                    continue;
                }

                if (next?.Kind == StepKind.Close)
                {
                    _steps.Dequeue();
                    return 0;
                }
            }

            if (next?.Kind == StepKind.Stall)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            Fail($"the client waits for a reply but the script expects the client to send {next?.ToString() ?? "nothing more"}");
            throw new IOException("transcript: " + Mismatch);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        lock (_gate)
        {
            Writes.Add(Encoding.UTF8.GetString(buffer));
            foreach (var b in buffer)
            {
                _lineBuffer.Add(b);
                if (b == (byte)'\n')
                {
                    var line = Encoding.UTF8.GetString([.. _lineBuffer]);
                    _lineBuffer.Clear();
                    if (!line.EndsWith("\r\n", StringComparison.Ordinal))
                    {
                        Fail("the client ended a line with a bare LF: " + line);
                    }

                    OnLine(line.TrimEnd('\r', '\n'));
                }
            }
        }

        if (Mismatch is not null)
        {
            throw new IOException("transcript: " + Mismatch);
        }
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }

    private void OnLine(string line)
    {
        if (_data is not null)
        {
            if (line == ".")
            {
                Messages.Add(string.Concat(_data.Select(l => l + "\r\n")));
                _data = null;
                QueueReplies();
            }
            else
            {
                _data.Add(line);
            }

            return;
        }

        ClientLines.Add(line);
        if (_steps.Count == 0)
        {
            Fail($"the client sent \"{line}\" after the end of the script");
            return;
        }

        if (_steps.Peek().Kind is StepKind.Stall or StepKind.Close)
        {
            // A silent (or closing) server swallows whatever it is sent.
            return;
        }

        var step = _steps.Dequeue();
        var ok = step.Kind switch
        {
            StepKind.Expect => line == step.Text,
            StepKind.ExpectPrefix => line.StartsWith(step.Text, StringComparison.Ordinal),
            StepKind.Content => line == "DATA-CONTENT",
            _ => false,
        };
        if (step.Kind == StepKind.Content)
        {
            // The line is the first content line, not a command.
            ClientLines.RemoveAt(ClientLines.Count - 1);
            _data = [];
            OnLine(line);
            return;
        }

        if (!ok)
        {
            Fail($"expected the client to send {step} but it sent \"{line}\"");
            return;
        }

        QueueReplies();
    }

    /// <summary>A server answers each command as it reads it, so pipelined commands get replies in order.</summary>
    private void QueueReplies()
    {
        while (_steps.Count > 0 && _steps.Peek().Kind == StepKind.Reply)
        {
            _pending.AddRange(Encoding.UTF8.GetBytes(_steps.Dequeue().Text));
        }
    }

    private void Fail(string message) => Mismatch ??= message;

    private enum StepKind
    {
        Reply,
        Expect,
        ExpectPrefix,
        Content,
        Stall,
        Close,
    }

    private sealed record Step(StepKind Kind, string Text)
    {
        public override string ToString() => Kind switch
        {
            StepKind.Expect => $"\"{Text}\"",
            StepKind.ExpectPrefix => $"a line starting \"{Text}\"",
            StepKind.Content => "message content",
            _ => Kind.ToString(),
        };
    }
}
