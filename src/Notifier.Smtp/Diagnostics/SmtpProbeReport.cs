namespace Notifier.Smtp.Diagnostics;

/// <summary>
/// What <see cref="SmtpProbe"/> saw, stage by stage. Never holds credentials or AUTH payloads.
/// </summary>
public sealed record SmtpProbeReport
{
    /// <summary>True when every stage succeeded (for send-test: the server accepted the message).</summary>
    public bool Succeeded => Error is null;

    public required IReadOnlyList<SmtpStageResult> Stages { get; init; }

    /// <summary>The server's greeting, e.g. <c>220 mail.example.com ESMTP Postfix</c>.</summary>
    public string? Greeting { get; init; }

    /// <summary>Null when the session was not encrypted.</summary>
    public SmtpTlsInfo? Tls { get; init; }

    /// <summary>The EHLO extension lines as the server sent them, e.g. <c>SIZE 10240000</c>, <c>AUTH PLAIN LOGIN</c>.</summary>
    public IReadOnlyList<string> Extensions { get; init; } = [];

    /// <summary>SASL mechanisms the server offered (after TLS, when TLS was used).</summary>
    public IReadOnlyList<string> AuthMechanismsOffered { get; init; } = [];

    /// <summary>Things that worked but that an admin should know, e.g. mail going unencrypted with Mail__Tls=IfAvailable.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The mechanism used (PLAIN, LOGIN or XOAUTH2), or null for anonymous.</summary>
    public string? AuthMechanismUsed { get; init; }

    /// <summary>For send-test: what the server did with the message.</summary>
    public SendResult? SendResult { get; init; }

    /// <summary>The stage that failed, or null.</summary>
    public SmtpStage? FailedStage { get; init; }

    /// <summary>Why the probe failed (message and <see cref="SmtpException.Hint"/> are written for an admin); null on success.</summary>
    public SmtpException? Error { get; init; }
}
