using Fleet.Hosting;
using Fleet.Hosting.TestWorker;
using Serilog;

Log.Logger = FleetLogging.CreateBootstrapLogger();
try
{
    if (FleetCommandLine.TryHandle<TestWorkerCliOptions>(args, out var exitCode))
    {
        return exitCode;
    }

    var builder = WebApplication.CreateSlimBuilder(args);
    builder.AddFleetDefaults<TestWorkerCliOptions>(args, kind: "test");
    builder.AddFleetNats();
    builder.AddTestWorker();
    await using var app = builder.Build();
    app.MapFleetHealth();
    app.MapTestWorkerEndpoints();
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
