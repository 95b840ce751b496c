namespace Notifier.Tests.Infra;

/// <summary>A function call, e.g. <c>parameters('name')</c>.</summary>
internal sealed record ArmCall(string Name, IReadOnlyList<ArmExpression> Arguments) : ArmExpression
{
    public override string ToString() => $"{Name}({string.Join(", ", Arguments)})";
}
