using System.Text;

namespace Notifier.Smtp.Tests.Servers;

/// <summary>One DATA transaction as smtp_server.py recorded it (message-N.json).</summary>
public sealed record ReceivedMessage
{
    public int Id { get; init; }

    public int Session { get; init; }

    public string MailFrom { get; init; } = "";

    public List<string> RcptTos { get; init; } = [];

    /// <summary>The message bytes after the server removed dot-stuffing, base64.</summary>
    public string Data { get; init; } = "";

    public bool Tls { get; init; }

    public string? AuthenticatedAs { get; init; }

    /// <summary>What the server answered to the end of DATA.</summary>
    public string Reply { get; init; } = "";

    public byte[] Bytes => Convert.FromBase64String(Data);

    /// <summary>The message as text (our MIME output is 7-bit).</summary>
    public string Text => Encoding.UTF8.GetString(Bytes);
}
