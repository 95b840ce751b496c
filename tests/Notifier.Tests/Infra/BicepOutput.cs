namespace Notifier.Tests.Infra;

/// <summary>An <c>output</c> declaration.</summary>
internal sealed record BicepOutput(string Name, string Type, BicepSpan Value, int Line);
