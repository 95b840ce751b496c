using System.Globalization;
using System.Text;
using MailKit;
using Microsoft.Extensions.Logging;
using Notifier.Smtp.Diagnostics;
using Notifier.Smtp.Logging;

namespace Notifier.Smtp.Client;

/// <summary>
/// MailKit's protocol logger for one session. It reads the conversation as MailKit writes and reads it, and
/// from it knows the stage in progress, every complete server reply (with the command it answers), whether
/// message content has started to leave, and whether the server sent bytes after agreeing to STARTTLS. It
/// writes the trace log (event ids 2000/2001) with AUTH payloads replaced by placeholders and message
/// content by its length, and re-arms the command timeout on every write so each round trip has its own.
/// </summary>
internal sealed class SessionLog(ILogger logger) : IProtocolLogger
{
    private const int MaxLineLength = 8192;

    private readonly Queue<string> _awaiting = new();
    private readonly StringBuilder _serverLine = new();
    private readonly List<string> _replyLines = [];
    private readonly bool _trace = logger.IsEnabled(LogLevel.Trace);
    private bool _content;
    private long _contentBytes;
    private bool _authenticating;
    private int _replyCode = -1;

    public IAuthenticationSecretDetector? AuthenticationSecretDetector { get; set; }

    /// <summary>Called on every write to the server (the session re-arms its command timeout there).</summary>
    public Action? Activity { get; set; }

    /// <summary>Called with each complete reply and the command line it answers ("" for the greeting).</summary>
    public Action<string, SmtpReply>? Replied { get; set; }

    /// <summary>The stage in progress (or the last one finished).</summary>
    public SmtpStage Stage { get; set; } = SmtpStage.Connect;

    /// <summary>The last complete reply from the server.</summary>
    public SmtpReply? LastReply { get; private set; }

    /// <summary>The server's first reply of the session.</summary>
    public SmtpReply? Greeting { get; private set; }

    /// <summary>The last EHLO reply (after STARTTLS, the second one).</summary>
    public SmtpReply? Hello { get; private set; }

    /// <summary>The base64 challenge the server sent during AUTH, if any (XOAUTH2 sends its error report so).</summary>
    public string? LastChallenge { get; private set; }

    /// <summary>True once DATA (or BDAT) of the current transaction was written: resending could duplicate it.</summary>
    public bool ContentStarted { get; private set; }

    /// <summary>True when bytes followed the server's 220 to STARTTLS in the same read (possible injection).</summary>
    public bool DataAfterStartTls { get; private set; }

    /// <summary>Starts a new mail transaction.</summary>
    public void BeginTransaction() => ContentStarted = false;

    public void LogConnect(Uri uri)
    {
    }

    public void LogClient(byte[] buffer, int offset, int count)
    {
        Activity?.Invoke();
        if (_content)
        {
            _contentBytes += count;
            return;
        }

        var text = Encoding.UTF8.GetString(buffer, offset, count);
        var start = 0;
        while (start < text.Length)
        {
            var end = text.IndexOf("\r\n", start, StringComparison.Ordinal);
            var line = end < 0 ? text[start..] : text[start..end];
            start = end < 0 ? text.Length : end + 2;
            Command(line);
        }
    }

    public void LogServer(byte[] buffer, int offset, int count)
    {
        for (var i = offset; i < offset + count; i++)
        {
            var b = buffer[i];
            if (b == (byte)'\n')
            {
                var line = _serverLine.ToString().TrimEnd('\r');
                _serverLine.Clear();
                if (ServerLine(line) is { } reply && reply.Item1 == "STARTTLS" && reply.Item2.Code == SmtpReplyCode.ServiceReady && i + 1 < offset + count)
                {
                    DataAfterStartTls = true;
                    return;
                }
            }
            else if (_serverLine.Length < MaxLineLength)
            {
                _serverLine.Append((char)b);
            }
        }
    }

    public void Dispose()
    {
    }

    private void Command(string line)
    {
        if (_authenticating)
        {
            // A response to a challenge: credentials, never logged.
            _awaiting.Enqueue("AUTH");
            Trace(true, "(credentials redacted)");
            return;
        }

        var verb = line.Length >= 4 ? line[..4].ToUpperInvariant() : line.ToUpperInvariant();
        switch (verb)
        {
            case "EHLO" or "HELO": Stage = SmtpStage.Ehlo; break;
            case "STAR": Stage = SmtpStage.Tls; break;
            case "AUTH":
                Stage = SmtpStage.Auth;
                _authenticating = true;
                var mechanism = line.Split(' ', 3) is { Length: >= 2 } parts ? parts[1] : "";
                _awaiting.Enqueue("AUTH " + mechanism);
                Trace(true, $"AUTH {mechanism} (credentials redacted)");
                return;
            // Not RSET: MailKit sends it after a refused transaction, and the failure belongs to the stage refused.
            case "MAIL": Stage = SmtpStage.MailFrom; break;
            case "RCPT": Stage = SmtpStage.RcptTo; break;
            case "DATA" or "BDAT":
                Stage = SmtpStage.Data;
                ContentStarted = true;
                _content = verb == "BDAT";
                break;
            case "QUIT": Stage = SmtpStage.Quit; break;
        }

        _awaiting.Enqueue(line);
        Trace(true, line);
    }

    /// <summary>Adds one server line; returns the command and reply when the line completed a reply.</summary>
    private (string, SmtpReply)? ServerLine(string line)
    {
        var code = line.Length >= 3 && int.TryParse(line.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;
        var last = line.Length <= 3 || line[3] != '-';
        _replyCode = _replyCode < 0 ? code : _replyCode;
        _replyLines.Add(line.Length > 4 ? line[4..] : "");
        if (!last)
        {
            return null;
        }

        var reply = new SmtpReply(_replyCode, [.. _replyLines]);
        _replyLines.Clear();
        _replyCode = -1;
        var command = Greeting is null ? "" : _awaiting.TryDequeue(out var sent) ? sent : "";
        Greeting ??= reply;
        LastReply = reply;
        if (_content)
        {
            // The reply to the end of the content.
            _content = false;
            Trace(true, $"(message content, {_contentBytes.ToString(CultureInfo.InvariantCulture)} bytes, and the terminating '.')");
            command = ".";
        }
        else if (command.StartsWith("DATA", StringComparison.OrdinalIgnoreCase) && reply.Code == SmtpReplyCode.StartMailInput)
        {
            _content = true;
            _contentBytes = 0;
        }

        if (_trace)
        {
            foreach (var text in reply.Lines)
            {
                Trace(false, _authenticating && reply.Code == SmtpReplyCode.AuthenticationChallenge ? $"{reply.Value} (challenge)" : $"{reply.Value} {text}");
            }
        }

        if (_authenticating)
        {
            if (reply.Code == SmtpReplyCode.AuthenticationChallenge)
            {
                LastChallenge = reply.Lines.Count > 0 ? reply.Lines[0] : "";
            }
            else
            {
                _authenticating = false;
            }
        }

        if (command.StartsWith("EHLO", StringComparison.OrdinalIgnoreCase) && reply.Code == SmtpReplyCode.Ok)
        {
            Hello = reply;
        }

        Replied?.Invoke(command, reply);
        return (command.ToUpperInvariant(), reply);
    }

    private void Trace(bool client, string line)
    {
        if (!_trace)
        {
            return;
        }

        if (client)
        {
            SmtpLog.ClientLine(logger, line);
        }
        else
        {
            SmtpLog.ServerLine(logger, line);
        }
    }
}
