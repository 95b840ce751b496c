using Azure.Core;

namespace Notifier.Telemetry;

/// <summary>Whether telemetry is exported, how it authenticates, or why a connection string was refused.</summary>
internal sealed record TelemetryStatus(bool Enabled, string? ConnectionString, TokenCredential? Credential, string? SignsInWith, string? Problem)
{
    public static readonly TelemetryStatus Off = new(false, null, null, null, null);
}
