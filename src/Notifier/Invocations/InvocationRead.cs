using System.Diagnostics.CodeAnalysis;

namespace Notifier.Invocations;

/// <summary>
/// What reading the host's request gave: the <see cref="Invocation"/>, or the <see cref="Error"/> saying why there
/// is none, and whether that was its size (<see cref="TooLarge"/>: by its Content-Length, or read past the limit).
/// </summary>
internal readonly record struct InvocationRead(Invocation? Invocation, string? Error)
{
    public bool TooLarge { get; init; }

    [MemberNotNullWhen(true, nameof(Invocation))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Succeeded => Invocation is not null && Error is null;

    public static InvocationRead Read(Invocation invocation) => new(invocation, null);

    public static InvocationRead Failed(string error) => new(null, error);

    public static InvocationRead Oversized(string error) => new(null, error) { TooLarge = true };
}
