using Fleet.Nats;
using Microsoft.Extensions.Options;

namespace Fleet.Hosting.TestWorker;

/// <summary>Services and endpoints the hosting tests observe from outside the process.</summary>
internal static class TestWorkerHostingExtensions
{
    public static IHostApplicationBuilder AddTestWorker(this IHostApplicationBuilder builder)
    {
        if (builder.Configuration.GetValue<bool>("TestWorker:Crash"))
        {
            builder.Services.AddHostedService<CrashingWorker>();
        }

        return builder;
    }

    public static IEndpointRouteBuilder MapTestWorkerEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/test/config", (IConfiguration configuration, IOptions<FleetOptions> fleet, IOptions<NatsOptions> nats) => Results.Json(new Dictionary<string, string?>
        {
            ["region"] = fleet.Value.Region,
            ["instance"] = fleet.Value.Instance,
            ["kind"] = fleet.Value.Kind,
            ["drainDelay"] = fleet.Value.DrainDelay.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            ["logDirectory"] = fleet.Value.LogDirectory,
            ["natsServers"] = string.Join(",", nats.Value.Servers),
            ["mysql"] = configuration[FleetConfigurationKeys.MySqlConnectionString],
            ["urls"] = configuration[FleetConfigurationKeys.Urls],
            ["custom"] = configuration["Custom:Value"],
        }));

        endpoints.MapGet("/test/log", (ILoggerFactory loggers) =>
        {
            loggers.CreateLogger("Fleet.Hosting.TestWorker.Endpoints").LogInformation("Handled test request for {Purpose}", "log-check");
            return Results.Text(RequestId.Current ?? string.Empty);
        });

        // Sends the status line at once, then finishes only after shutdown began plus the drain delay and a
        // margin: the request is in flight for the whole drain, which is what the drain test needs.
        endpoints.MapGet("/test/slow", async (HttpContext context, IHostApplicationLifetime lifetime, IOptions<FleetOptions> fleet) =>
        {
            context.Response.ContentType = "text/plain";
            await context.Response.StartAsync();
            await context.Response.Body.FlushAsync();
            var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (lifetime.ApplicationStopping.Register(() => stopping.TrySetResult()))
            {
                await stopping.Task.WaitAsync(TimeSpan.FromSeconds(60));
            }

            await Task.Delay(fleet.Value.DrainDelay + TimeSpan.FromMilliseconds(500));
            await context.Response.WriteAsync("done");
        });
        return endpoints;
    }
}
