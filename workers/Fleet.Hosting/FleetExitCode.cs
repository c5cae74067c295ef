using Microsoft.Extensions.Options;
using Serilog;

namespace Fleet.Hosting;

/// <summary>
/// The exit codes every worker uses, so a supervisor can tell a crash (restart it) from a usage or
/// configuration error (restarting will not help).
/// </summary>
public static class FleetExitCode
{
    /// <summary>Normal end, including a graceful drain after SIGTERM.</summary>
    public const int Success = 0;

    /// <summary>A crash: an unhandled exception or a faulted background service.</summary>
    public const int Crashed = 1;

    /// <summary>Bad command line or invalid configuration (the sysexits-style "usage" code).</summary>
    public const int Usage = 2;

    /// <summary>
    /// Turns an exception that escaped Program.cs into an exit code: a configuration error prints one line to
    /// stderr and returns <see cref="Usage"/>; anything else is logged as Fatal and returns <see cref="Crashed"/>.
    /// </summary>
    /// <param name="exception">The exception caught around building and running the host.</param>
    /// <returns>The process exit code.</returns>
    public static int FromException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var reason = ConfigurationErrorReason(exception);
        if (reason is null)
        {
            Log.Fatal(exception, "Host terminated unexpectedly");
            return Crashed;
        }

        Log.Error("Invalid configuration: {Reason}", reason);
        Console.Error.WriteLine($"Invalid configuration: {reason}");
        return Usage;
    }

    /// <summary>True for exceptions that mean "fix the configuration", not "restart me".</summary>
    internal static bool IsConfigurationError(Exception? exception) =>
        exception is not null && ConfigurationErrorReason(exception) is not null;

    private static string? ConfigurationErrorReason(Exception exception)
    {
        switch (exception)
        {
            case OptionsValidationException validation:
                return OneLine(validation.Message);
            case FleetConfigurationException configuration:
                return OneLine(configuration.Message);
            case AggregateException aggregate:
                var inner = aggregate.Flatten().InnerExceptions;
                var reasons = inner.Select(ConfigurationErrorReason).ToList();
                return reasons.Count > 0 && reasons.All(r => r is not null) ? string.Join("; ", reasons) : null;
            default:
                return null;
        }
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
