using System.Text;

namespace Notifier.Notifications.Rendering;

/// <summary>
/// One reusable <see cref="StringBuilder"/> per thread for the body writers. An HTML body is 5–10 KB of text,
/// so a fresh builder per event meant allocating (and growing) about as much memory again as the body itself.
/// Acquire takes the builder out of the cache, so a nested or concurrent user on the same thread simply gets a
/// new one; very large builders are not kept, so one huge event does not pin its memory for the thread's life.
/// </summary>
internal static class StringBuilderCache
{
    private const int MaxKeptCapacity = 64 * 1024;

    [ThreadStatic]
    private static StringBuilder? _cached;

    public static StringBuilder Acquire(int capacity)
    {
        var builder = _cached;
        if (builder is null || builder.Capacity < capacity)
        {
            return new StringBuilder(capacity);
        }

        _cached = null;
        builder.Clear();
        return builder;
    }

    /// <summary>Keeps <paramref name="builder"/> for the next caller on this thread; the caller must not use it afterwards.</summary>
    public static void Release(StringBuilder builder)
    {
        if (builder.Capacity <= MaxKeptCapacity)
        {
            builder.Clear();
            _cached = builder;
        }
    }
}
