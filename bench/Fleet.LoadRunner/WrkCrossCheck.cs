using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Fleet.LoadRunner;

/// <summary>Runs wrk (Debian package) against one URL and reads its req/s and latency percentiles.</summary>
public static partial class WrkCrossCheck
{
    /// <summary>wrk's figures: requests per second and p50/p99 in µs.</summary>
    public sealed record WrkResult(double RequestsPerSecond, double P50Micros, double P99Micros, string Output);

    /// <summary>Runs <c>wrk -t2 -c{connections} -d{seconds}s --latency url</c>.</summary>
    public static async Task<WrkResult> RunAsync(Uri url, int connections, int seconds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        var threads = Math.Min(2, connections);
        using var process = Process.Start(new ProcessStartInfo("wrk",
            ["-t" + threads.ToString(CultureInfo.InvariantCulture), "-c" + connections.ToString(CultureInfo.InvariantCulture),
             "-d" + seconds.ToString(CultureInfo.InvariantCulture) + "s", "--latency", "--timeout", "10s", url.ToString()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("wrk did not start (Debian package wrk).");
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return Parse(output);
    }

    /// <summary>Reads wrk's text output.</summary>
    public static WrkResult Parse(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var rps = RpsPattern().Match(output);
        var p50 = PercentilePattern("50").Match(output);
        var p99 = PercentilePattern("99").Match(output);
        if (!rps.Success || !p50.Success || !p99.Success)
        {
            throw new InvalidDataException("Unexpected wrk output:\n" + output);
        }

        return new WrkResult(double.Parse(rps.Groups[1].Value, CultureInfo.InvariantCulture), Micros(p50), Micros(p99), output);
    }

    private static double Micros(Match m)
    {
        var value = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value switch
        {
            "us" => value,
            "ms" => value * 1000,
            "s" => value * 1_000_000,
            _ => value * 60_000_000,
        };
    }

    private static Regex PercentilePattern(string percentile) =>
        new($@"^\s+{percentile}%\s+([\d.]+)(us|ms|s|m)\s*$", RegexOptions.Multiline | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)", RegexOptions.CultureInvariant)]
    private static partial Regex RpsPattern();
}
