using Fleet.Nats;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fleet.Hosting;

/// <summary>Registers the worker's one <see cref="NatsConnection"/>, its connect/close lifecycle and its ready check.</summary>
public static class NatsHostingExtensions
{
    /// <summary>The name of the NATS ready check in <c>/readyz</c>.</summary>
    public const string ReadyCheckName = "nats";

    /// <summary>
    /// Adds a <see cref="NatsConnection"/> singleton configured from the <c>Nats</c> section (servers from
    /// <c>--nats</c> / <c>FLEET_NATS</c>), connected in the background after start (the worker starts even
    /// while NATS is down and reports not ready until connected), drained after every other hosted service
    /// has stopped, and checked by the <c>nats</c> ready check.
    /// </summary>
    /// <param name="builder">The host builder, after <c>AddFleetDefaults</c>.</param>
    /// <returns>The same builder.</returns>
    public static IHostApplicationBuilder AddFleetNats(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<NatsOptions>()
            .Configure<IConfiguration>(BindNatsOptions);
        builder.Services.AddSingleton(services => new NatsConnection(
            services.GetRequiredService<IOptions<NatsOptions>>().Value,
            services.GetRequiredService<ILogger<NatsConnection>>()));
        builder.Services.AddHostedService<NatsConnectionService>();
        builder.Services.AddHealthChecks().AddCheck<NatsReadyCheck>(ReadyCheckName, tags: [FleetHealth.ReadyTag]);
        return builder;
    }

    /// <summary>
    /// Binds the section, then sets <see cref="NatsOptions.Servers"/> from the top layer that names servers.
    /// The binder alone gets lists wrong twice: it ignores a comma-separated value (what flags and variables
    /// give) and it appends configured servers to the default list instead of replacing it.
    /// Without a configured name the client is named kind/instance, so nats-server's connz shows who is who.
    /// </summary>
    internal static void BindNatsOptions(NatsOptions options, IConfiguration configuration)
    {
        var section = configuration.GetSection(NatsOptions.SectionName);
        var defaults = options.Servers.ToList();
        section.Bind(options);
        if (section[nameof(NatsOptions.Name)] is null && configuration[FleetConfigurationKeys.Kind] is { } kind)
        {
            options.Name = $"{kind}/{configuration["Fleet:Instance"] ?? Environment.MachineName}";
        }

        var servers = section.GetSection(nameof(NatsOptions.Servers));
        if (!string.IsNullOrWhiteSpace(servers.Value))
        {
            options.Servers = servers.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
        }
        else
        {
            var listed = servers.GetChildren().Select(child => child.Value).OfType<string>().Where(v => v.Length > 0).ToList();
            options.Servers = listed.Count > 0 ? listed : defaults;
        }
    }
}
