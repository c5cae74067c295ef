using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serilog;

namespace Fleet.Hosting;

/// <summary>
/// The service defaults every worker applies with one call (the eShop ServiceDefaults idea): layered
/// configuration from flags, <c>FLEET_…</c> variables, <c>.env</c> and appsettings; validated
/// <see cref="FleetOptions"/>; Serilog; health checks; request ids; graceful drain; HostOptions; and a
/// non-zero exit code when a background service crashes.
/// </summary>
/// <remarks>
/// Every Fleet worker is a web host (<c>WebApplication.CreateSlimBuilder</c>), even one that serves only NATS:
/// HAProxy and the Ansible move playbook need <c>/readyz</c> on each instance, and one hosting shape is simpler
/// than two. The extensions take <see cref="IHostApplicationBuilder"/> so a generic host still gets
/// everything except the HTTP endpoints.
/// </remarks>
public static class FleetHostingExtensions
{
    /// <summary>Applies the defaults for a worker without options of its own.</summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="args">The process arguments, already checked by <see cref="FleetCommandLine.TryHandle(string[], out int)"/>.</param>
    /// <param name="kind">The worker kind: <c>api</c>, <c>chat</c>, <c>sync</c>.</param>
    /// <returns>The same builder.</returns>
    public static IHostApplicationBuilder AddFleetDefaults(this IHostApplicationBuilder builder, string[] args, string kind) =>
        builder.AddFleetDefaults<FleetCliOptions>(args, kind);

    /// <summary>Applies the defaults for a worker whose command line is <typeparamref name="TOptions"/>.</summary>
    /// <typeparam name="TOptions">The worker's options type; it is also registered as a singleton.</typeparam>
    /// <param name="builder">The host builder.</param>
    /// <param name="args">The process arguments, already checked by <see cref="FleetCommandLine.TryHandle{TOptions}"/>.</param>
    /// <param name="kind">The worker kind: <c>api</c>, <c>chat</c>, <c>sync</c>.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="FleetConfigurationException">The arguments do not parse (TryHandle was not called first).</exception>
    public static IHostApplicationBuilder AddFleetDefaults<TOptions>(this IHostApplicationBuilder builder, string[] args, string kind)
        where TOptions : FleetCliOptions, new()
    {
        var result = FleetCommandLine.Parse<TOptions>(args);
        if (result.Options is null)
        {
            throw new FleetConfigurationException(result.IsError
                ? result.Text
                : "The command line asks for help or version; call FleetCommandLine.TryHandle before building the host.");
        }

        builder.Services.AddSingleton(result.Options);
        return builder.AddFleetDefaults(result.Options, kind);
    }

    /// <summary>Applies the defaults with options that were already parsed.</summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="options">The parsed command line.</param>
    /// <param name="kind">The worker kind: <c>api</c>, <c>chat</c>, <c>sync</c>.</param>
    /// <returns>The same builder.</returns>
    public static IHostApplicationBuilder AddFleetDefaults(this IHostApplicationBuilder builder, FleetCliOptions options, string kind)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(kind);

        FleetConfigurationLayers.Add(builder.Configuration, options, kind, Environment.GetEnvironmentVariables());
        builder.Services.AddSingleton(options);

        // Logging needs identity and file settings now, before the container exists; call AddFleetDefaults after
        // adding any configuration source of your own, or the log enrichment will not see it.
        var snapshot = BindSnapshot(builder.Configuration);
        var validation = new FleetOptionsValidator().Validate(Options.DefaultName, snapshot);
        if (validation.Failed)
        {
            // Fail before the host exists: the message is the whole story, a host start-up stack trace is noise.
            throw new FleetConfigurationException(validation.FailureMessage);
        }

        builder.Services.AddSingleton<IValidateOptions<FleetOptions>, FleetOptionsValidator>();
        builder.Services.AddOptions<FleetOptions>().BindConfiguration(FleetOptions.SectionName).ValidateOnStart();

        // Read when the host resolves HostOptions (at Build), so sources a worker or test adds after this call
        // still count; a malformed value is reported by the options validation at start.
        builder.Services.AddOptions<HostOptions>().Configure<IConfiguration>((host, configuration) =>
        {
            var configured = configuration[$"{FleetOptions.SectionName}:{nameof(FleetOptions.ShutdownTimeout)}"];
            host.ShutdownTimeout = TimeSpan.TryParse(configured, CultureInfo.InvariantCulture, out var timeout) && timeout > TimeSpan.Zero
                ? timeout
                : new FleetOptions().ShutdownTimeout;

            // Explicit although it is the default since .NET 6: a crashed loop must end the process.
            host.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost;
        });

        // The bootstrap logger is console-only and holds nothing to flush, so it is replaced, not disposed: with
        // several hosts in one process (tests) the previous Log.Logger may be another live host's logger.
        var logger = FleetLogging.CreateLogger(snapshot);
        Log.Logger = logger;
        builder.Logging.ClearProviders();

        // Not disposed by the logging provider: the Fatal line of a failed run is written after the host is gone.
        builder.Logging.AddSerilog(logger, dispose: false);
        builder.Services.AddHostedService(_ => new SerilogLoggerOwner(logger));

        builder.Services.AddSingleton<DrainState>();
        builder.Services.AddHostedService<DrainService>();
        builder.Services.AddHostedService<CrashExitCodeService>();
        builder.Services.AddHealthChecks()
            .AddCheck<DrainingHealthCheck>(FleetHealth.DrainingCheckName, tags: [FleetHealth.ReadyTag]);
        builder.Services.AddTransient<IStartupFilter, RequestIdStartupFilter>();
        return builder;
    }

    private static FleetOptions BindSnapshot(IConfiguration configuration)
    {
        var snapshot = new FleetOptions();
        try
        {
            configuration.GetSection(FleetOptions.SectionName).Bind(snapshot);
        }
        catch (InvalidOperationException ex)
        {
            throw new FleetConfigurationException(ex.Message, ex);
        }

        return snapshot;
    }
}
