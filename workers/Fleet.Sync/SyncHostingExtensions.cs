using System.Text;
using Fleet.Data;
using Fleet.Hosting;
using Fleet.Hosting.Security;
using Fleet.MySql;
using Microsoft.Extensions.Options;

namespace Fleet.Sync;

/// <summary>Registers and maps the sync worker.</summary>
internal static class SyncHostingExtensions
{
    public static IHostApplicationBuilder AddSyncWorker(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SyncOptions>()
            .BindConfiguration(SyncOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => TryParsePeers(o), "Sync:Peers must be region=nats://host:port pairs separated by commas.")
            .ValidateOnStart();
        builder.AddFleetBearerTokens();
        builder.AddFleetData(MySqlClientFactory.Instance, typeof(SyncHostingExtensions).Assembly);
        builder.AddFleetNats();
        builder.Services.AddSingleton(TimeProvider.System);

        // The API's signing key also signs cursors: one secret to rotate, and it is already on every sync instance.
        builder.Services.AddSingleton(sp => new SyncCursor(Encoding.UTF8.GetBytes(sp.GetRequiredService<IOptions<BearerTokenOptions>>().Value.JwtKey)));
        builder.Services.AddSingleton<ChangeLog>();
        builder.Services.AddSingleton<ReplicationLog>();
        builder.Services.AddSingleton<ApiMutationClient>();
        builder.Services.AddSingleton<PullEndpoint>();
        builder.Services.AddSingleton<PushEndpoint>();
        builder.Services.AddHostedService<EventConsumerWorker>();
        builder.Services.AddHostedService<TombstonePurgeWorker>();
        builder.Services.AddHostedService<ReplicationReceiveService>();
        builder.Services.AddHostedService<ReplicationShipWorker>();
        return builder;
    }

    public static WebApplication MapSyncWorker(this WebApplication app)
    {
        app.MapFleetHealth();
        var pull = app.Services.GetRequiredService<PullEndpoint>();
        var push = app.Services.GetRequiredService<PushEndpoint>();
        app.MapGet(PullEndpoint.Path, pull.HandleAsync);
        app.MapPost(PushEndpoint.Path, push.HandleAsync);
        return app;
    }

    private static bool TryParsePeers(SyncOptions options)
    {
        try
        {
            options.ParsedPeers();
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
