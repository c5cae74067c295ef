using Fleet.Hosting;
using Fleet.Sync;
using Serilog;

Log.Logger = FleetLogging.CreateBootstrapLogger();
try
{
    if (FleetCommandLine.TryHandle(args, out var exitCode))
    {
        return exitCode;
    }

    var builder = WebApplication.CreateSlimBuilder(args);
    builder.AddFleetDefaults(args, kind: "sync");
    builder.AddSyncWorker();
    await using var app = builder.Build();
    app.MapSyncWorker();
    await app.RunAsync();
    return Environment.ExitCode;
}
catch (Exception ex)
{
    return FleetExitCode.FromException(ex);
}
finally
{
    await Log.CloseAndFlushAsync();
}
