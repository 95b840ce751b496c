namespace Notifier.Tests.Infra;

/// <summary>One <c>key: value</c> property of a Bicep object literal.</summary>
internal sealed record BicepProperty(string Key, BicepSpan Value);
