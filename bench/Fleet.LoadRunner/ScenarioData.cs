namespace Fleet.LoadRunner;

/// <summary>What the setup created: accounts with their tokens, topic ids and post ids.</summary>
public sealed record ScenarioData(
    IReadOnlyList<(string Email, string Password, string Token)> Users,
    IReadOnlyList<long> Topics,
    IReadOnlyList<long> Posts)
{
    /// <summary>No data: for scenarios whose steps use no placeholders.</summary>
    public static ScenarioData Empty { get; } = new([], [], []);
}
