using Fleet.Chat;
using Fleet.Hosting;
using Serilog;

Log.Logger = FleetLogging.CreateBootstrapLogger();
try
{
    if (FleetCommandLine.TryHandle(args, out var exitCode))
    {
        return exitCode;
    }

    var builder = WebApplication.CreateSlimBuilder(args);
    builder.AddFleetDefaults(args, kind: "chat");
    builder.AddChatWorker();
    await using var app = builder.Build();
    app.MapChatWorker();
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
