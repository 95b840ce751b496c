using System.Buffers;
using System.Text;

namespace Notifier.Notifications.Rendering;

/// <summary>
/// A body rendered once per event with a hole for the per-recipient reason sentence, so that an event with
/// many recipients is formatted (and its markdown parsed) only once. The part before the hole is kept in a
/// pooled array rather than a string: each recipient's body is copied from it once, and no body-sized string
/// is made that no email uses. Dispose it when the emails are built.
/// </summary>
internal sealed class BodyTemplate : IDisposable
{
    private readonly int _beforeLength;
    private readonly string _after;
    private char[]? _before;

    /// <summary>Copies <paramref name="before"/> (the text up to the reason) and hands the builder back to the cache.</summary>
    public BodyTemplate(StringBuilder before, string after)
    {
        _beforeLength = before.Length;
        _before = ArrayPool<char>.Shared.Rent(Math.Max(_beforeLength, 16));
        before.CopyTo(0, _before, 0, _beforeLength);
        StringBuilderCache.Release(before);
        _after = after;
    }

    public string Fill(string reason)
    {
        ObjectDisposedException.ThrowIf(_before is null, this);
        return string.Create(_beforeLength + reason.Length + _after.Length, (this, reason), static (target, state) =>
        {
            var (template, text) = state;
            template._before.AsSpan(0, template._beforeLength).CopyTo(target);
            text.CopyTo(target[template._beforeLength..]);
            template._after.CopyTo(target[(template._beforeLength + text.Length)..]);
        });
    }

    public void Dispose()
    {
        if (_before is { } before)
        {
            _before = null;
            ArrayPool<char>.Shared.Return(before);
        }
    }
}
