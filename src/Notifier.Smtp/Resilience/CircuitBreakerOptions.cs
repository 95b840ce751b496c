namespace Notifier.Smtp.Resilience;

/// <summary>When the mail server counts as down and for how long sends then fail fast.</summary>
public sealed record CircuitBreakerOptions
{
    /// <summary>Connection failures in a row (no success between them) that open the circuit.</summary>
    public int FailureThreshold { get; init; } = 3;

    /// <summary>How long sends fail fast before one send probes the server again.</summary>
    public TimeSpan CoolDown { get; init; } = TimeSpan.FromSeconds(30);
}
