namespace Fleet.Sync.Benchmarks;

/// <summary>
/// One measured run. Pull: operations are pages, items changes, <see cref="LogSize"/> the log it read. Push:
/// operations are batches, items mutations, log size 0.
/// </summary>
internal sealed record RunResult(
    string Side, int LogSize, int Round, int Operations, int Items, double Seconds, double P50, double P99,
    IReadOnlyList<double> P50ByThird, double CpuMillisecondsPerOperation, double ServerCpuMillisecondsPerOperation)
{
    public const string Worker = "sync worker (HTTP)";
    public const string DirectSql = "page SQL direct (Fleet.MySql)";
    public const string SyncPush = "push through sync";
    public const string DirectApi = "same mutations direct to API (HTTP)";

    public double ItemsPerSecond => Items / Seconds;
}
