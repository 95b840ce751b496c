namespace Notifier.Smtp.Tests.Servers;

/// <summary>One connection as smtp_server.py recorded it (session-N.json).</summary>
public sealed record ReceivedSession
{
    public int Id { get; init; }

    /// <summary>Every command line in order; AUTH lines hold the mechanism only.</summary>
    public List<string> Commands { get; init; } = [];

    /// <summary>
    /// For each of <see cref="Commands"/>, the verbs of the command lines that had already arrived behind it when
    /// the server read it: sent before the client could have read its reply (pipelining).
    /// </summary>
    public List<List<string>> Waiting { get; init; } = [];

    /// <summary>The address of the client's end of the connection, as the server saw it.</summary>
    public string? PeerAddress { get; init; }

    public bool MailFromSent { get; init; }

    public bool Tls { get; init; }

    public string? AuthenticatedAs { get; init; }

    public string? AuthMechanism { get; init; }

    /// <summary>The XOAUTH2 outcome: "accepted", "refused token" or "malformed: …"; null when it was not tried.</summary>
    public string? XOAuth2 { get; init; }

    /// <summary>Which accepted token was used: 1 for the first of <see cref="SmtpServerOptions.XOAuth2Tokens"/>.</summary>
    public int? XOAuth2Token { get; init; }

    /// <summary>"QUIT", "closed", "closed during DATA", "greeting refused with 421", ...; null while open.</summary>
    public string? Ended { get; init; }

    /// <summary>The first line of message data before a close-during-data fault cut the connection (base64).</summary>
    public string? PartialData { get; init; }
}
