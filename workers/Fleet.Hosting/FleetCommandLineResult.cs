namespace Fleet.Hosting;

/// <summary>What <see cref="FleetCommandLine.Parse{TOptions}"/> decided: run with options, or exit.</summary>
/// <typeparam name="TOptions">The worker's options type.</typeparam>
public sealed class FleetCommandLineResult<TOptions>
    where TOptions : FleetCliOptions
{
    private FleetCommandLineResult(TOptions? options, int? exitCode, string text, bool isError)
    {
        Options = options;
        ExitCode = exitCode;
        Text = text;
        IsError = isError;
    }

    /// <summary>The parsed options when the worker should start, otherwise null.</summary>
    public TOptions? Options { get; }

    /// <summary>The exit code when the worker should not start, otherwise null.</summary>
    public int? ExitCode { get; }

    /// <summary>The help text (stdout) or the one-line reason (stderr); empty when the worker should start.</summary>
    public string Text { get; }

    /// <summary>True when <see cref="Text"/> is an error for stderr.</summary>
    public bool IsError { get; }

    internal static FleetCommandLineResult<TOptions> Run(TOptions options) => new(options, null, string.Empty, false);

    internal static FleetCommandLineResult<TOptions> Exit(int exitCode, string text, bool isError) =>
        new(null, exitCode, text, isError);
}
