namespace Notifier.Tests.Infra;

/// <summary>Property access, e.g. <c>reference(...).outputs</c>.</summary>
internal sealed record ArmMember(ArmExpression Target, string Name) : ArmExpression
{
    public override string ToString() => $"{Target}.{Name}";
}
