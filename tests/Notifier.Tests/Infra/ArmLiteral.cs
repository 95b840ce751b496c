using System.Globalization;

namespace Notifier.Tests.Infra;

/// <summary>A string or integer literal.</summary>
internal sealed record ArmLiteral(object Value) : ArmExpression
{
    public override string ToString() => Value is string s ? "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'" : Convert.ToString(Value, CultureInfo.InvariantCulture)!;
}
