namespace Notifier.Tests.Infra;

/// <summary>One run of the Bicep CLI: its exit code and everything it printed (diagnostics go to stderr).</summary>
internal sealed record BicepRun(int ExitCode, string Output)
{
    /// <summary>Diagnostic lines: <c>file(line,col) : Error|Warning|Info code: message</c>.</summary>
    public IReadOnlyList<string> Diagnostics =>
        [.. Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.Contains(") : ", StringComparison.Ordinal))];

    public bool Succeeded => ExitCode == 0 && Diagnostics.Count == 0;
}
