namespace Fleet.MySql.Benchmarks;

/// <summary>One scenario in one round, with everything the report prints.</summary>
internal sealed record ScenarioRun(
    string Scenario,
    int Round,
    long Queries,
    double Seconds,
    double P50Milliseconds,
    double P99Milliseconds,
    double ClientCpuMicroseconds,
    double ServerCpuMicroseconds,
    ServerDelta Server)
{
    public const string Slap = "mariadb-slap";
    public const string SlapTcp = "mariadb-slap (TCP)";
    public const string Fleet = "Fleet.MySql";
    public const string FleetSocket = "Fleet.MySql (socket)";
    public const string MySqlData = "MySql.Data 8.0.16";

    public double Qps => Queries / Seconds;

    /// <summary>Client CPU per query in µs (this process for the .NET clients, the slap process for slap).</summary>
    public double ClientCpuPerQuery => ClientCpuMicroseconds / Queries;

    public double ServerCpuPerQuery => ServerCpuMicroseconds / Queries;

    /// <summary>All Com_* commands the server counted per query completed.</summary>
    public double CommandsPerQuery => (double)Server.TotalCommands / Queries;

    public double QuestionsPerQuery => (double)Server.Questions / Queries;
}
