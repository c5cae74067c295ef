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
        // Kebab case: "open", "closed", "http", "chat", "sync-push".
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
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
        if (scenario.Validate() is { } problem)
        {
            throw new InvalidDataException($"{path}: {problem}");
        }

        return scenario;
    }

    /// <summary>Null when the scenario can run, otherwise what is wrong with it.</summary>
    public string? Validate()
    {
        if (Steps.Count == 0 || Steps.Any(s => s.Weight <= 0 || !s.Path.StartsWith('/')))
        {
            return "a scenario needs steps, each with a positive weight and a path starting with '/'.";
        }

        // Each chat client is one socket held for the whole run; the cap keeps a typo from opening a million.
        if (Steps.Any(s => s.Kind == StepKind.Chat && (s.Rooms < 1 || s.ClientsPerRoom < 2 || s.Rooms * s.ClientsPerRoom > 10_000)))
        {
            return "a chat step needs at least 1 room and 2 clients per room, at most 10,000 clients in all.";
        }

        if (Steps.Any(s => s.Kind == StepKind.SyncPush && s.BatchSize is < 1 or > 50))
        {
            return "a sync-push step sends 1 to 50 mutations per batch (the sync worker's default MaxBatchSize).";
        }

        if (Steps.Any(s => s.Kind is StepKind.Chat or StepKind.SyncPush) && Setup.Users < 1)
        {
            return "chat and sync-push steps need setup users (their tokens authenticate the clients).";
        }

        if (Steps.Any(s => s.Kind == StepKind.SyncPush) && Setup.Topics < 1)
        {
            return "a sync-push step creates posts and needs setup topics.";
        }

        return null;
    }

    /// <summary>Parses a scenario from JSON text (tests).</summary>
    public static ScenarioDefinition Parse(string json) =>
        JsonSerializer.Deserialize<ScenarioDefinition>(json, JsonOptions) ?? throw new InvalidDataException("empty scenario");
}
