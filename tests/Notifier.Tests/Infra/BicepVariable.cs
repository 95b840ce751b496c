namespace Notifier.Tests.Infra;

/// <summary>A <c>var</c> declaration with the <c>//</c> comment lines directly above it.</summary>
internal sealed record BicepVariable(string Name, BicepSpan Value, string LeadingComment, int Line);
