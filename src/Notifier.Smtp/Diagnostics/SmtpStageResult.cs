namespace Notifier.Smtp.Diagnostics;

/// <summary>One finished stage of a probe.</summary>
/// <param name="Stage">Which stage.</param>
/// <param name="Succeeded">False when the session stopped here.</param>
/// <param name="Summary">One line for a person, e.g. "TLS 1.3, TLS_AES_256_GCM_SHA384" or the error message.</param>
/// <param name="ServerReply">The server's reply to this stage, if there was one (never an AUTH exchange's payload).</param>
public sealed record SmtpStageResult(SmtpStage Stage, bool Succeeded, string Summary, string? ServerReply = null)
{
    /// <summary>Time since the previous stage finished (or the probe started).</summary>
    public TimeSpan Elapsed { get; init; }
}
