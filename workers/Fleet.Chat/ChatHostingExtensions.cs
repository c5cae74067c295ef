using Fleet.Data;
using Fleet.Hosting;
using Fleet.Hosting.Security;
using Fleet.MySql;

namespace Fleet.Chat;

/// <summary>Registers and maps the chat relay worker.</summary>
internal static class ChatHostingExtensions
{
    public static IHostApplicationBuilder AddChatWorker(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ChatOptions>()
            .BindConfiguration(ChatOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.AddFleetBearerTokens();
        builder.AddFleetData(MySqlClientFactory.Instance, typeof(ChatHostingExtensions).Assembly);
        builder.AddFleetNats();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ChatStore>();
        builder.Services.AddSingleton<RoomHub>();
        builder.Services.AddSingleton<ConnectionRegistry>();
        builder.Services.AddHostedService<ChatDrainService>();
        builder.Services.AddHostedService<PresenceHeartbeatWorker>();
        return builder;
    }

    public static WebApplication MapChatWorker(this WebApplication app)
    {
        app.MapFleetHealth();
        app.UseWebSockets();
        app.Map(ChatEndpoint.Path, ChatEndpoint.HandleAsync);
        return app;
    }
}
