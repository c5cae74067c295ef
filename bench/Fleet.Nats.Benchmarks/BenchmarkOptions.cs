using CommandLine;

namespace Fleet.Nats.Benchmarks;

/// <summary>The command line of the benchmark; the defaults are what the worker-platform issue asks for.</summary>
internal sealed class BenchmarkOptions
{
    [Option("messages", Default = 1_000_000, HelpText = "Messages per publish run (each size, each round, each side).")]
    public int Messages { get; set; }

    [Option("sizes", Separator = ',', Default = new[] { 16, 128 }, HelpText = "Payload sizes in bytes for the publish runs, comma-separated.")]
    public IEnumerable<int> Sizes { get; set; } = [];

    [Option("rounds", Default = 5, HelpText = "Measured rounds; each round runs the raw baseline, then the client, per scenario.")]
    public int Rounds { get; set; }

    [Option("request-count", Default = 20_000, HelpText = "Request/reply round trips per run (sequential and concurrent).")]
    public int RequestCount { get; set; }

    [Option("in-flight", Default = 32, HelpText = "Requests in flight in the concurrent request/reply runs.")]
    public int InFlight { get; set; }

    [Option("request-size", Default = 16, HelpText = "Payload size in bytes of requests and replies.")]
    public int RequestSize { get; set; }

    [Option("no-pubsub", HelpText = "Skip the publish-to-subscribe throughput runs.")]
    public bool NoPubSub { get; set; }

    // The runtime starts counting calls for tier-1 compilation only after 100 ms; 200,000 publishes took about 40 ms, so
    // the measured client run used to include its own JIT tiering (perf showed QuickJitted/Instrumented publish code).
    [Option("warmup-messages", Default = 2_000_000, HelpText = "Messages per publish run in the unreported warm-up round (JIT tiering, socket buffers).")]
    public int WarmupMessages { get; set; }

    [Option("diagnostics", HelpText = "Also run the pipe variants (raw frames through a System.IO.Pipelines write loop, one client cost added at a time) for the first size.")]
    public bool Diagnostics { get; set; }

    [Option("filter", HelpText = "Run only the scenarios whose name contains this text, e.g. \"publish 16\" (for profiling one scenario).")]
    public string? Filter { get; set; }

    [Option("server", HelpText = "An existing NATS server URL, e.g. nats://127.0.0.1:4222. Default: start a private nats-server on a free loopback port.")]
    public string? Server { get; set; }

    [Option("output", HelpText = "Markdown file whose '## NATS client' section is replaced (or appended) with the results.")]
    public string? Output { get; set; }

    [Option("run-timeout", Default = 120, HelpText = "Seconds one run (one side of one scenario in one round) may take before the benchmark fails.")]
    public int RunTimeoutSeconds { get; set; }

    /// <summary>A one-line reason when the values cannot be used, or null.</summary>
    public string? Validate()
    {
        if (Messages < 1 || Rounds < 1 || RequestCount < 1 || InFlight < 1 || WarmupMessages < 0 || RunTimeoutSeconds < 1)
        {
            return "--messages, --rounds, --request-count, --in-flight and --run-timeout must be positive; --warmup-messages not negative.";
        }

        if (!Sizes.Any() || Sizes.Any(size => size is < 0 or > 64 * 1024))
        {
            return "--sizes must list payload sizes between 0 and 65536 bytes.";
        }

        if (RequestSize is < 0 or > 64 * 1024)
        {
            return "--request-size must be between 0 and 65536 bytes.";
        }

        if (Server is not null && !Uri.TryCreate(Server, UriKind.Absolute, out _))
        {
            return $"--server: '{Server}' is not a URL such as nats://127.0.0.1:4222.";
        }

        return null;
    }
}
