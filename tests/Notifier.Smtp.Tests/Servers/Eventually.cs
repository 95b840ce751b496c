using System.Diagnostics;

namespace Notifier.Smtp.Tests.Servers;

/// <summary>
/// Waits for a state a real server reaches in its own time (a record written, a session ended): checked often,
/// with a deadline generous enough that a loaded machine makes the test slower, never wrong.
/// </summary>
internal static class Eventually
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>Reads until <paramref name="reached"/> holds and returns that value; fails the test naming <paramref name="what"/> at the deadline.</summary>
    public static async Task<T> ReachedAsync<T>(Func<T> read, Func<T, bool> reached, string what, TimeSpan? deadline = null)
    {
        var limit = deadline ?? Deadline;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = read();
            if (reached(value))
            {
                return value;
            }

            if (clock.Elapsed > limit)
            {
                Assert.Fail($"{what}: not reached within {limit.TotalSeconds:0} s");
            }

            await Task.Delay(PollInterval);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds; fails the test naming <paramref name="what"/> at the deadline.</summary>
    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? deadline = null) =>
        ReachedAsync(condition, holds => holds, what, deadline);
}
