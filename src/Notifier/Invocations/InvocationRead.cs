using System.Diagnostics.CodeAnalysis;

namespace Notifier.Invocations;

/// <summary>What reading the host's request gave: the <see cref="Invocation"/>, or the <see cref="Error"/> saying why there is none.</summary>
internal readonly record struct InvocationRead(Invocation? Invocation, string? Error)
{
    [MemberNotNullWhen(true, nameof(Invocation))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Succeeded => Invocation is not null && Error is null;

    public static InvocationRead Read(Invocation invocation) => new(invocation, null);

    public static InvocationRead Failed(string error) => new(null, error);
}
