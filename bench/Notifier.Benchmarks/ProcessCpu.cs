using System.Globalization;

namespace Notifier.Benchmarks;

/// <summary>CPU time (user + system) a process has used so far, from /proc/PID/stat (clock ticks of 10 ms).</summary>
internal static class ProcessCpu
{
    public static TimeSpan Of(int processId)
    {
        var stat = File.ReadAllText($"/proc/{processId}/stat");
        // utime and stime are fields 14 and 15 of proc(5); fields[0] is field 3, the one after the command name.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromMilliseconds(ticks * 10);
    }
}
