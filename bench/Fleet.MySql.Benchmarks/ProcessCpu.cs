using System.Globalization;

namespace Fleet.MySql.Benchmarks;

/// <summary>CPU time read from /proc, for processes other than this one (the server, mariadb-slap).</summary>
internal static class ProcessCpu
{
    // USER_HZ is 100 on every Linux build this runs on (x86_64 and arm64 Debian kernels).
    private const double TicksPerSecond = 100;

    /// <summary>User + system CPU of a live process (fields 14 and 15 of /proc/PID/stat).</summary>
    public static TimeSpan OfProcess(int pid) => Read($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat", 11);

    /// <summary>
    /// User + system CPU of this process's children that have exited and been waited for (fields 16 and 17 of
    /// /proc/self/stat): how mariadb-slap's CPU is counted without sampling it while it runs.
    /// </summary>
    public static TimeSpan OfWaitedChildren() => Read("/proc/self/stat", 13);

    private static TimeSpan Read(string path, int firstField)
    {
        // The command name in parentheses may contain spaces; the fields after the closing one are fixed.
        var text = File.ReadAllText(path);
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[firstField], CultureInfo.InvariantCulture) + long.Parse(fields[firstField + 1], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }
}
