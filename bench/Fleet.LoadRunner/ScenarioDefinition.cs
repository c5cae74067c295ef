using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fleet.LoadRunner;

/// <summary>
/// One load scenario as written in <c>bench/scenarios/&lt;name&gt;.json</c> (JSON rather than YAML: no YAML parser
/// is served by the package registry here, and System.Text.Json comes with the runtime).
/// </summary>
public sealed record ScenarioDefinition
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Scenario name, used in reports.</summary>
    public required string Name { get; init; }

    /// <summary>What the scenario measures, one sentence.</summary>
    public string Description { get; init; } = "";

    /// <summary>Data the scenario creates before the load starts.</summary>
    public SetupDefinition Setup { get; init; } = new();

    /// <summary>Default load; command-line options override single values.</summary>
    public LoadDefinition Load { get; init; } = new();

    /// <summary>Requests to send; each request picks one step at random by weight.</summary>
    public required IReadOnlyList<StepDefinition> Steps { get; init; }

    /// <summary>Reads and validates a scenario file.</summary>
    public static ScenarioDefinition FromFile(string path)
    {
        var scenario = JsonSerializer.Deserialize<ScenarioDefinition>(File.ReadAllText(path), JsonOptions)
            ?? throw new InvalidDataException($"{path}: empty scenario");
        if (scenario.Steps.Count == 0 || scenario.Steps.Any(s => s.Weight <= 0 || !s.Path.StartsWith('/')))
        {
            throw new InvalidDataException($"{path}: a scenario needs steps, each with a positive weight and a path starting with '/'.");
        }

        return scenario;
    }

    /// <summary>Parses a scenario from JSON text (tests).</summary>
    public static ScenarioDefinition Parse(string json) =>
        JsonSerializer.Deserialize<ScenarioDefinition>(json, JsonOptions) ?? throw new InvalidDataException("empty scenario");
}
