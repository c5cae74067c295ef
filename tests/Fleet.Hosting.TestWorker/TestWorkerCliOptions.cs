using CommandLine;

namespace Fleet.Hosting.TestWorker;

/// <summary>The test worker's own flags, showing how a worker extends the common ones.</summary>
internal sealed class TestWorkerCliOptions : FleetCliOptions
{
    [Option("crash", HelpText = "Start a background service that throws once the host has started.")]
    public bool Crash { get; set; }

    public override void WriteConfiguration(IDictionary<string, string?> values)
    {
        base.WriteConfiguration(values);
        if (Crash)
        {
            values["TestWorker:Crash"] = "true";
        }
    }
}
