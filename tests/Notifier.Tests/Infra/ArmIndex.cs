namespace Notifier.Tests.Infra;

/// <summary>Indexing, e.g. <c>parameters('ids')[copyIndex()]</c>.</summary>
internal sealed record ArmIndex(ArmExpression Target, ArmExpression Index) : ArmExpression
{
    public override string ToString() => $"{Target}[{Index}]";
}
