namespace Notifier.Tests.Infra;

/// <summary>A <c>param</c> declaration; <see cref="Default"/> is null when the parameter is required.</summary>
internal sealed record BicepParameter(string Name, string Type, BicepSpan? Default, int Line)
{
    public bool IsRequired => Default is null;
}
