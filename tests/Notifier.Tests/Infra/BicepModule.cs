namespace Notifier.Tests.Infra;

/// <summary>A <c>module</c> declaration: symbolic name, the referenced file and its body object.</summary>
internal sealed record BicepModule(string Symbol, string Path, BicepSpan Body, int Line)
{
    /// <summary>The parameters passed in <c>params: { ... }</c>.</summary>
    public IReadOnlyList<BicepProperty> PassedParameters =>
        Body.Property("params")?.ObjectProperties() ?? [];
}
