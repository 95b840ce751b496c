namespace Notifier.Smtp.Tests.Servers;

/// <summary>One connection as smtp_server.py recorded it (session-N.json).</summary>
public sealed record ReceivedSession
{
    public int Id { get; init; }

    /// <summary>Every command line in order; AUTH lines hold the mechanism only.</summary>
    public List<string> Commands { get; init; } = [];

    public bool MailFromSent { get; init; }

    public bool Tls { get; init; }

    public string? AuthenticatedAs { get; init; }

    public string? AuthMechanism { get; init; }

    /// <summary>"QUIT", "closed", "closed during DATA", "greeting refused with 421", ...; null while open.</summary>
    public string? Ended { get; init; }

    /// <summary>With --xoauth2: "exact" when the SASL payload was exactly the expected one, else "refused".</summary>
    public string? XOAuth2Payload { get; init; }

    /// <summary>With --xoauth2 and a refused payload: whether the client answered the error challenge with an empty line.</summary>
    public bool? XOAuth2ChallengeAnswered { get; init; }

    /// <summary>The first line of message data before a close-during-data fault cut the connection (base64).</summary>
    public string? PartialData { get; init; }
}
