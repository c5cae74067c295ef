using CommandLine;
using Fleet.Hosting;

namespace Fleet.Api;

/// <summary>The API worker's command line: the shared flags plus <c>--transport</c>.</summary>
internal sealed class ApiCliOptions : FleetCliOptions
{
    [Option("transport", HelpText = "Which transports serve the API: http, nats or both (Api:Transport, FLEET_API__TRANSPORT). Default: both.")]
    public string? Transport { get; set; }

    public override void WriteConfiguration(IDictionary<string, string?> values)
    {
        base.WriteConfiguration(values);
        AddIfGiven(values, "Api:Transport", Transport);
    }

    public override string? Validate() =>
        base.Validate() ?? (Transport is null || ApiOptions.ParseTransport(Transport) is not null
            ? null
            : $"--transport: '{Transport}' is not one of http, nats, both.");
}
