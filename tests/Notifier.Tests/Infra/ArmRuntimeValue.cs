namespace Notifier.Tests.Infra;

/// <summary>
/// A value Azure knows only while it deploys (an identity's principal id, a vault's URI). The evaluator keeps
/// it as a readable placeholder, e.g. <c>ref(Microsoft.ManagedIdentity/userAssignedIdentities/id-x).clientId</c>,
/// so a test can still see where a setting comes from.
/// </summary>
internal sealed record ArmRuntimeValue(string Text)
{
    public ArmRuntimeValue Member(string name) => new($"{Text}.{name}");

    public override string ToString() => Text;
}
