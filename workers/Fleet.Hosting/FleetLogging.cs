using Serilog;
using Serilog.Events;
using Serilog.Formatting.Json;

namespace Fleet.Hosting;

/// <summary>
/// Serilog set-up for every worker: a console-only bootstrap logger for the moments before configuration is
/// read, then rolling JSON-lines files plus the console, enriched with the worker's kind, region and instance.
/// Serilog types stay in this assembly and Program.cs; everything else logs through <c>ILogger&lt;T&gt;</c>.
/// </summary>
public static class FleetLogging
{
    /// <summary>The console line format: short enough to read in <c>journalctl</c>, the file keeps the rest.</summary>
    public const string ConsoleTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    /// <summary>A console logger for start-up, before the configuration that names the log directory is read.</summary>
    /// <returns>The bootstrap logger; assign it to <see cref="Log.Logger"/>.</returns>
    public static Serilog.Core.Logger CreateBootstrapLogger() =>
        new LoggerConfiguration()
            .MinimumLevel.Information()
            .Enrich.FromLogContext()
            .WriteTo.Console(outputTemplate: ConsoleTemplate, formatProvider: System.Globalization.CultureInfo.InvariantCulture)
            .CreateLogger();

    /// <summary>The worker's logger: console plus daily/size-rolled JSON-lines files named after kind and instance.</summary>
    /// <param name="options">The bound (not yet validated) Fleet options.</param>
    /// <returns>The logger.</returns>
    public static Serilog.Core.Logger CreateLogger(FleetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var path = Path.Combine(Path.GetFullPath(options.LogDirectory), $"{FileSafe(options.Kind)}-{FileSafe(options.Instance)}-.jsonl");
        return new LoggerConfiguration()
            .MinimumLevel.Information()

            // Per-request start/finish lines would double the log volume; HAProxy's log already has them.
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)

            // The health-check service logs an Error for every failing check on every poll (HAProxy polls every
            // 2s): one outage would flood the files. Dependency clients log their own state changes instead.
            .MinimumLevel.Override("Microsoft.Extensions.Diagnostics.HealthChecks", LogEventLevel.Fatal)
            .Enrich.FromLogContext()

            // The host logs a failed start with a stack trace; for invalid options FleetExitCode.FromException
            // already writes the one line that matters.
            .Filter.ByExcluding(e => FleetExitCode.IsConfigurationError(e.Exception))
            .Enrich.WithProperty("Kind", options.Kind)
            .Enrich.WithProperty("Region", options.Region)
            .Enrich.WithProperty("Instance", options.Instance)
            .WriteTo.Console(outputTemplate: ConsoleTemplate, formatProvider: System.Globalization.CultureInfo.InvariantCulture)
            .WriteTo.File(
                new JsonFormatter(renderMessage: true),
                path,
                fileSizeLimitBytes: options.LogFileSizeLimitBytes,
                rollOnFileSizeLimit: true,
                rollingInterval: RollingInterval.Day,
                retainedFileCountLimit: options.LogRetainedFileCount)
            .CreateLogger();
    }

    private static string FileSafe(string value)
    {
        var chars = value.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray();
        return chars.Length == 0 ? "worker" : new string(chars);
    }
}
