namespace Notifier.Benchmarks;

/// <summary>Medians and percentiles.</summary>
internal static class Stats
{
    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        var rank = p / 100 * (sorted.Count - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return sorted[low] + ((sorted[high] - sorted[low]) * (rank - low));
    }

    public static double Median(IEnumerable<double> values) => Percentile([.. values.Order()], 50);
}
