namespace Notifier.Notifications.Batching;

/// <summary>Settings <c>Notifications__Batching__*</c>.</summary>
public sealed class BatchingOptions
{
    /// <summary>The host's default schedule for FlushBatches: every minute (six-field NCRONTAB).</summary>
    public const string DefaultFlushSchedule = "0 */1 * * * *";

    public BatchingMode Mode { get; set; } = BatchingMode.Batched;

    /// <summary>A digest goes out once nothing was added to it for this long.</summary>
    public TimeSpan QuietPeriod { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A digest goes out at the latest this long after its first item, however busy the pull request.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Also batch repository and commit events, per person and repository.</summary>
    public bool Repositories { get; set; }

    /// <summary>
    /// The FlushBatches timer's schedule. The Functions host reads it (<c>%Notifications__Batching__FlushSchedule%</c>
    /// in function.json); the handler only checks its form.
    /// </summary>
    public string FlushSchedule { get; set; } = DefaultFlushSchedule;
}
