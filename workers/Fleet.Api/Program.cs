using Fleet.Api;
using Fleet.Hosting;
using Serilog;

Log.Logger = FleetLogging.CreateBootstrapLogger();
try
{
    if (FleetCommandLine.TryHandle<ApiCliOptions>(args, out var exitCode))
    {
        return exitCode;
    }

    var builder = WebApplication.CreateSlimBuilder(args);
    builder.AddFleetDefaults<ApiCliOptions>(args, kind: "api");
    builder.AddApiWorker();
    await using var app = builder.Build();
    app.MapApiWorker();
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
