namespace Notifier.Tests.Infra;

/// <summary>
/// A <c>resource</c> declaration: symbolic name, type and API version, its condition (the expression in
/// <c>if (...)</c>, else null) and its body object.
/// </summary>
internal sealed record BicepResource(
    string Symbol, string Type, string ApiVersion, bool IsExisting, string? Condition, BicepSpan Body, int Line)
{
    /// <summary>The literal <c>name</c> of the resource, or null when it is computed.</summary>
    public string? LiteralName => Body.Property("name")?.StringLiteral;
}
