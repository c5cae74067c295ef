using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Fleet.LoadRunner;

/// <summary>Writes runs as Markdown, JSON and a self-contained HTML page whose charts are inline SVG (renders offline).</summary>
public static class ReportWriter
{
    private const string Style = "<style>body{font:14px sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 7px;text-align:right}td:first-child,th:first-child{text-align:left}svg{background:#fafafa;border:1px solid #ddd;margin:4px}h2{margin-top:2em}</style>";
    private static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true };
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly double[] Percentiles = [50, 75, 95, 99, 99.9];
    private static readonly string[] Colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];

    /// <summary>A Markdown summary: one table row per run, then per-step rows and error kinds.</summary>
    public static string Markdown(IReadOnlyList<RunResult> runs, string heading, string context)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var sb = new StringBuilder();
        sb.Append(Inv, $"{heading}\n\n{context}\n\n");
        sb.Append("| Run | Target | Model | Requests | Errors | req/s | p50 ms | p75 ms | p95 ms | p99 ms | p99.9 ms | max ms | Late | KiB in/s |\n");
        sb.Append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (var run in runs)
        {
            var h = run.Metrics.Latency;
            sb.Append(Inv, $"| {run.Name} | {run.Target} | {Describe(run.Model)} | {h.Count:N0} | {run.Metrics.ErrorCount:N0} | {run.Throughput:N0} | ");
            foreach (var p in Percentiles)
            {
                sb.Append(Inv, $"{Ms(h.ValueAtPercentile(p))} | ");
            }

            sb.Append(Inv, $"{Ms(h.Max)} | {run.Metrics.Late:N0} | {run.Metrics.BytesIn / 1024.0 / Math.Max(run.MeasuredTime.TotalSeconds, 0.001):N0} |\n");
        }

        var stepRuns = runs.Where(r => r.Metrics.Steps.Count > 1).ToList();
        if (stepRuns.Count > 0)
        {
            sb.Append("\nSteps:\n\n| Run | Step | Requests | Errors | p50 ms | p99 ms | max ms |\n|---|---|---:|---:|---:|---:|---:|\n");
            foreach (var run in stepRuns)
            {
                foreach (var (step, h) in run.Metrics.Steps.OrderBy(s => s.Key, StringComparer.Ordinal))
                {
                    sb.Append(Inv, $"| {run.Name} | {step} | {h.Count:N0} | {run.Metrics.StepErrors[step]:N0} | {Ms(h.ValueAtPercentile(50))} | {Ms(h.ValueAtPercentile(99))} | {Ms(h.Max)} |\n");
                }
            }
        }

        var timingRuns = runs.Where(r => r.Metrics.Timings.Count > 0).ToList();
        if (timingRuns.Count > 0)
        {
            sb.Append("\nTimings inside requests (chat: from writing the send frame; not requests themselves):\n\n");
            sb.Append("| Run | Timing | Count | per s | p50 ms | p75 ms | p95 ms | p99 ms | p99.9 ms | max ms |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            foreach (var run in timingRuns)
            {
                foreach (var (name, h) in run.Metrics.Timings.OrderBy(t => t.Key, StringComparer.Ordinal))
                {
                    sb.Append(Inv, $"| {run.Name} | {name} | {h.Count:N0} | {h.Count / Math.Max(run.MeasuredTime.TotalSeconds, 0.001):N0} | ");
                    foreach (var p in Percentiles)
                    {
                        sb.Append(Inv, $"{Ms(h.ValueAtPercentile(p))} | ");
                    }

                    sb.Append(Inv, $"{Ms(h.Max)} |\n");
                }
            }
        }

        var errorRuns = runs.Where(r => r.Metrics.ErrorCount > 0).ToList();
        if (errorRuns.Count > 0)
        {
            sb.Append("\nErrors by kind:\n\n");
            foreach (var run in errorRuns)
            {
                sb.Append(Inv, $"- {run.Name}: {string.Join(", ", run.Metrics.Errors.OrderByDescending(e => e.Value).Select(e => string.Create(Inv, $"{e.Key} × {e.Value:N0}")))}\n");
            }
        }

        return sb.ToString();
    }

    /// <summary>Ratios of each run to a baseline run (throughput: ours ÷ baseline; latency: ours ÷ baseline).</summary>
    public static string Ratios(RunResult run, RunResult baseline)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(baseline);
        static string Ratio(double a, double b) => b > 0 ? (a / b).ToString("0.00", CultureInfo.InvariantCulture) + "×" : "n/a";
        var h = run.Metrics.Latency;
        var b = baseline.Metrics.Latency;
        return string.Create(Inv,
            $"| {run.Name} ÷ {baseline.Name} | {Ratio(run.Throughput, baseline.Throughput)} | {Ratio(h.ValueAtPercentile(50), b.ValueAtPercentile(50))} | {Ratio(h.ValueAtPercentile(99), b.ValueAtPercentile(99))} | {Ratio(h.Max, b.Max)} |\n");
    }

    /// <summary>Header of the ratio table.</summary>
    public const string RatioHeader = "| Ratio | req/s | p50 | p99 | max |\n|---|---:|---:|---:|---:|\n";

    /// <summary>Everything measured, as indented JSON.</summary>
    public static string Json(IReadOnlyList<RunResult> runs, string context, IReadOnlyList<string>? notRun = null)
    {
        ArgumentNullException.ThrowIfNull(runs);
        object Summary(LatencyHistogram h) => new
        {
            count = h.Count,
            minUs = h.Min,
            meanUs = Math.Round(h.Mean, 1),
            p50Us = h.ValueAtPercentile(50),
            p75Us = h.ValueAtPercentile(75),
            p95Us = h.ValueAtPercentile(95),
            p99Us = h.ValueAtPercentile(99),
            p999Us = h.ValueAtPercentile(99.9),
            maxUs = h.Max,
        };
        var document = new
        {
            context,
            notRun = notRun ?? [],
            runs = runs.Select(r => new
            {
                name = r.Name,
                target = r.Target,
                model = Describe(r.Model),
                measuredSeconds = Math.Round(r.MeasuredTime.TotalSeconds, 3),
                warmUpRequests = r.WarmUpRequests,
                started = r.Metrics.Started,
                late = r.Metrics.Late,
                throughput = Math.Round(r.Throughput, 1),
                requests = r.Metrics.Latency.Count,
                errorCount = r.Metrics.ErrorCount,
                errors = r.Metrics.Errors,
                stepErrors = r.Metrics.StepErrors,
                bytesIn = r.Metrics.BytesIn,
                bytesOut = r.Metrics.BytesOut,
                latency = Summary(r.Metrics.Latency),
                steps = r.Metrics.Steps.ToDictionary(s => s.Key, s => Summary(s.Value)),
                timings = r.Metrics.Timings.ToDictionary(t => t.Key, t => Summary(t.Value)),
                seconds = r.Metrics.Seconds.Select((s, i) => new
                {
                    second = i,
                    started = s.Started,
                    completed = s.Latency.Count,
                    errors = s.Errors,
                    p50Us = s.Latency.ValueAtPercentile(50),
                    p99Us = s.Latency.ValueAtPercentile(99),
                    maxUs = s.Latency.Max,
                    bytesIn = s.BytesIn,
                }),
                histogram = r.Metrics.Latency.Buckets().Select(b => new[] { b.Lower, b.Upper, b.Count }),
            }),
        };
        return JsonSerializer.Serialize(document, IndentedJson);
    }

    /// <summary>A single HTML file: the Markdown tables as HTML plus SVG charts per run.</summary>
    public static string Html(IReadOnlyList<RunResult> runs, string title, string context)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var sb = new StringBuilder();
        sb.Append(Inv, $"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>{E(title)}</title>
            {Style}
            </head><body><h1>{E(title)}</h1><p>{E(context)}</p>
            <table><tr><th>Run</th><th>Target</th><th>Model</th><th>Requests</th><th>Errors</th><th>req/s</th><th>p50 ms</th><th>p75 ms</th><th>p95 ms</th><th>p99 ms</th><th>p99.9 ms</th><th>max ms</th><th>Late</th></tr>

            """);
        foreach (var run in runs)
        {
            var h = run.Metrics.Latency;
            sb.Append(Inv, $"<tr><td>{E(run.Name)}</td><td>{E(run.Target)}</td><td>{E(Describe(run.Model))}</td><td>{h.Count:N0}</td><td>{run.Metrics.ErrorCount:N0}</td><td>{run.Throughput:N0}</td>");
            foreach (var p in Percentiles)
            {
                sb.Append(Inv, $"<td>{Ms(h.ValueAtPercentile(p))}</td>");
            }

            sb.Append(Inv, $"<td>{Ms(h.Max)}</td><td>{run.Metrics.Late:N0}</td></tr>\n");
        }

        sb.Append("</table>\n");
        foreach (var run in runs)
        {
            var seconds = run.Metrics.Seconds;
            sb.Append(Inv, $"<h2>{E(run.Name)}</h2>\n");
            if (run.Metrics.ErrorCount > 0)
            {
                sb.Append(Inv, $"<p>Errors: {E(string.Join(", ", run.Metrics.Errors.Select(e => $"{e.Key} × {e.Value}")))}</p>\n");
            }

            sb.Append(LineChart("Throughput over time (requests/s by completion; started/s dashed)", "s", "req/s",
                [("completed", seconds.Select(s => (double)s.Latency.Count).ToArray()), ("started", seconds.Select(s => (double)s.Started).ToArray()), ("errors", seconds.Select(s => (double)s.Errors).ToArray())]));
            sb.Append(LineChart("Latency over time (ms, per second of completion)", "s", "ms",
                [("p50", seconds.Select(s => s.Latency.ValueAtPercentile(50) / 1000.0).ToArray()), ("p99", seconds.Select(s => s.Latency.ValueAtPercentile(99) / 1000.0).ToArray()), ("max", seconds.Select(s => s.Latency.Max / 1000.0).ToArray())]));
            sb.Append(DistributionChart("Latency by percentile (ms)", run.Metrics.Latency));
            if (run.Metrics.Timings.Count > 0)
            {
                sb.Append("<table><tr><th>Timing inside requests</th><th>Count</th><th>per s</th><th>p50 ms</th><th>p75 ms</th><th>p95 ms</th><th>p99 ms</th><th>p99.9 ms</th><th>max ms</th></tr>\n");
                foreach (var (name, h) in run.Metrics.Timings.OrderBy(t => t.Key, StringComparer.Ordinal))
                {
                    sb.Append(Inv, $"<tr><td>{E(name)}</td><td>{h.Count:N0}</td><td>{h.Count / Math.Max(run.MeasuredTime.TotalSeconds, 0.001):N0}</td>");
                    foreach (var p in Percentiles)
                    {
                        sb.Append(Inv, $"<td>{Ms(h.ValueAtPercentile(p))}</td>");
                    }

                    sb.Append(Inv, $"<td>{Ms(h.Max)}</td></tr>\n");
                }

                sb.Append("</table>\n");
                foreach (var (name, h) in run.Metrics.Timings.OrderBy(t => t.Key, StringComparer.Ordinal))
                {
                    sb.Append(DistributionChart(name + " by percentile (ms)", h));
                }
            }

            sb.Append('\n');
        }

        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    /// <summary>The model in a few words.</summary>
    public static string Describe(LoadModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Kind == LoadModelKind.Open
            ? string.Create(Inv, $"open {model.Rate:0.#}/s, ramp {model.RampUp.TotalSeconds:0.#} s, warm {model.WarmUp.TotalSeconds:0.#} s, {model.Duration.TotalSeconds:0.#} s")
            : string.Create(Inv, $"closed ×{model.Concurrency}, warm {model.WarmUp.TotalSeconds:0.#} s, {model.Duration.TotalSeconds:0.#} s");
    }

    private static string Ms(long micros) => (micros / 1000.0).ToString(micros < 10_000 ? "0.00" : "0.0", Inv);

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string LineChart(string title, string xUnit, string yUnit, (string Name, double[] Values)[] series)
    {
        const int W = 520, H = 240, L = 55, R = 10, T = 25, B = 30;
        var n = Math.Max(series.Max(s => s.Values.Length), 2);
        var yMax = Math.Max(series.SelectMany(s => s.Values).DefaultIfEmpty(0).Max(), 1e-9) * 1.1;
        double X(int i) => L + ((W - L - R) * i / (double)(n - 1));
        double Y(double v) => H - B - ((H - T - B) * v / yMax);
        var sb = new StringBuilder();
        sb.Append(Inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\"><text x=\"{L}\" y=\"15\" font-size=\"12\">{E(title)}</text>");
        Axes(sb, W, H, L, R, T, B, yMax, n - 1, xUnit, yUnit);
        for (var k = 0; k < series.Length; k++)
        {
            var values = series[k].Values;
            if (values.Length == 0)
            {
                continue;
            }

            var points = string.Join(' ', values.Select((v, i) => string.Create(Inv, $"{X(i):0.#},{Y(v):0.#}")));
            var dash = series[k].Name == "started" ? " stroke-dasharray=\"4 3\"" : "";
            sb.Append(Inv, $"<polyline fill=\"none\" stroke=\"{Colors[k % Colors.Length]}\" stroke-width=\"1.5\"{dash} points=\"{points}\"/>");
            sb.Append(Inv, $"<text x=\"{W - R - 60}\" y=\"{T + 12 + (k * 13)}\" font-size=\"11\" fill=\"{Colors[k % Colors.Length]}\">{E(series[k].Name)}</text>");
        }

        sb.Append("</svg>\n");
        return sb.ToString();
    }

    private static string DistributionChart(string title, LatencyHistogram histogram)
    {
        // Percentile curve on a log-scaled "nines" axis (HdrHistogram's classic plot): x = -log10(1 - q).
        const int W = 520, H = 240, L = 55, R = 10, T = 25, B = 30;
        var qs = new List<double>();
        for (var x = 0.0; x <= 4.0001; x += 0.05)
        {
            qs.Add(100 * (1 - Math.Pow(10, -x)));
        }

        var values = qs.Select(q => histogram.ValueAtPercentile(q) / 1000.0).ToArray();
        var yMax = Math.Max(values.DefaultIfEmpty(0).Max(), 1e-9) * 1.1;
        double X(double nines) => L + ((W - L - R) * nines / 4);
        double Y(double v) => H - B - ((H - T - B) * v / yMax);
        var sb = new StringBuilder();
        sb.Append(Inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\"><text x=\"{L}\" y=\"15\" font-size=\"12\">{E(title)}</text>");
        sb.Append(Inv, $"<line x1=\"{L}\" y1=\"{H - B}\" x2=\"{W - R}\" y2=\"{H - B}\" stroke=\"#888\"/><line x1=\"{L}\" y1=\"{T}\" x2=\"{L}\" y2=\"{H - B}\" stroke=\"#888\"/>");
        string[] labels = ["0%", "90%", "99%", "99.9%", "99.99%"];
        for (var i = 0; i <= 4; i++)
        {
            sb.Append(Inv, $"<text x=\"{X(i) - 10:0.#}\" y=\"{H - B + 14}\" font-size=\"10\">{labels[i]}</text>");
        }

        for (var i = 0; i <= 4; i++)
        {
            var v = yMax * i / 4;
            sb.Append(Inv, $"<text x=\"2\" y=\"{Y(v) + 4:0.#}\" font-size=\"10\">{v:0.##}</text>");
        }

        var points = string.Join(' ', values.Select((v, i) => string.Create(Inv, $"{X(i * 0.05):0.#},{Y(v):0.#}")));
        sb.Append(Inv, $"<polyline fill=\"none\" stroke=\"{Colors[0]}\" stroke-width=\"1.5\" points=\"{points}\"/></svg>\n");
        return sb.ToString();
    }

    private static void Axes(StringBuilder sb, int w, int h, int l, int r, int t, int b, double yMax, int xMax, string xUnit, string yUnit)
    {
        sb.Append(Inv, $"<line x1=\"{l}\" y1=\"{h - b}\" x2=\"{w - r}\" y2=\"{h - b}\" stroke=\"#888\"/><line x1=\"{l}\" y1=\"{t}\" x2=\"{l}\" y2=\"{h - b}\" stroke=\"#888\"/>");
        for (var i = 0; i <= 4; i++)
        {
            var v = yMax * i / 4;
            var y = h - b - ((h - t - b) * i / 4.0);
            sb.Append(Inv, $"<text x=\"2\" y=\"{y + 4:0.#}\" font-size=\"10\">{v:0.##}</text>");
            var x = l + ((w - l - r) * i / 4.0);
            sb.Append(Inv, $"<text x=\"{x - 5:0.#}\" y=\"{h - b + 14}\" font-size=\"10\">{xMax * i / 4.0:0.#}</text>");
        }

        sb.Append(Inv, $"<text x=\"{w - r - 20}\" y=\"{h - 3}\" font-size=\"10\">{xUnit}</text><text x=\"2\" y=\"{t - 3}\" font-size=\"10\">{yUnit}</text>");
    }
}
