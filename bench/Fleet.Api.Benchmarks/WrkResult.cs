using System.Globalization;
using System.Text.RegularExpressions;

namespace Fleet.Api.Benchmarks;

/// <summary>What one wrk run reported: throughput, p99 latency, and answers that were not 2xx/3xx.</summary>
internal sealed partial record WrkResult(double RequestsPerSecond, double P99Milliseconds, long Requests, long Errors, string Raw)
{
    public static WrkResult Parse(string output)
    {
        var rps = double.Parse(Rps().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        var p99 = P99().Match(output);
        var value = double.Parse(p99.Groups[1].Value, CultureInfo.InvariantCulture);
        var ms = p99.Groups[2].Value switch
        {
            "us" => value / 1000,
            "ms" => value,
            "s" => value * 1000,
            _ => double.NaN,
        };
        var requests = long.Parse(RequestCount().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        var non2xx = NonSuccess().Match(output) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        var socketErrors = SocketErrors().Match(output) is { Success: true } s
            ? s.Groups.Values.Skip(1).Sum(g => long.Parse(g.Value, CultureInfo.InvariantCulture))
            : 0;
        return new WrkResult(rps, ms, requests, non2xx + socketErrors, output);
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex Rps();

    [GeneratedRegex(@"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline)]
    private static partial Regex P99();

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex RequestCount();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex NonSuccess();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrors();
}
