using Fleet.Api.Accounts;
using Fleet.Api.Outbox;
using Fleet.Api.Pipeline;
using Fleet.Data;
using Fleet.Hosting;
using Fleet.Hosting.Security;
using Fleet.MySql;

namespace Fleet.Api;

/// <summary>Registers and maps the API worker.</summary>
internal static class ApiHostingExtensions
{
    public static IHostApplicationBuilder AddApiWorker(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ApiOptions>()
            .BindConfiguration(ApiOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.AddFleetData(MySqlClientFactory.Instance, typeof(ApiHostingExtensions).Assembly);
        builder.AddFleetNats();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ApiRoutes>();
        builder.Services.AddSingleton<JwtTokenService>();
        builder.AddFleetBearerTokens();
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddSingleton<ApiServices>();
        builder.Services.AddSingleton<ApiDispatcher>();
        builder.Services.AddHostedService<OutboxRelayWorker>();
        builder.Services.AddSingleton<NatsTransportService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<NatsTransportService>());
        builder.Services.AddHealthChecks().AddCheck<NatsTransportReadyCheck>("nats-transport", tags: [FleetHealth.ReadyTag]);

        // The dispatcher enforces Api:MaxBodyBytes with a problem answer; Kestrel's own limit is only a backstop
        // far above it, because Kestrel answers its 413 without a problem body.
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(kestrel =>
            kestrel.Limits.MaxRequestBodySize = 16 * 1024 * 1024);
        return builder;
    }

    public static WebApplication MapApiWorker(this WebApplication app)
    {
        app.MapFleetHealth();
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ApiOptions>>().Value;
        if (options.ParsedTransport.HasFlag(ApiTransport.Http))
        {
            HttpTransport.Map(app, app.Services.GetRequiredService<ApiRoutes>());
        }

        return app;
    }
}
