using System.Reflection;
using CommandLine;
using CommandLine.Text;

namespace Fleet.Hosting;

/// <summary>
/// Parses the command line before any host exists, so <c>--help</c> and bad flags end the process with the
/// conventional exit codes (<see cref="FleetExitCode.Success"/>, <see cref="FleetExitCode.Usage"/>) instead
/// of a half-started worker or a stack trace.
/// </summary>
public static class FleetCommandLine
{
    /// <summary>Parses <paramref name="args"/> without writing anything.</summary>
    /// <typeparam name="TOptions">The worker's options type.</typeparam>
    /// <param name="args">The process arguments.</param>
    /// <returns>The options, or the text and exit code to end the process with.</returns>
    public static FleetCommandLineResult<TOptions> Parse<TOptions>(IEnumerable<string> args)
        where TOptions : FleetCliOptions, new()
    {
        ArgumentNullException.ThrowIfNull(args);
        var list = args.ToList();
        if (FindMissingValue<TOptions>(list) is { } missing)
        {
            return FleetCommandLineResult<TOptions>.Exit(FleetExitCode.Usage, Usage(missing), isError: true);
        }

        // The parser's own HelpWriter prints multi-line error blocks to stderr; we print one line ourselves.
        using var parser = new Parser(settings =>
        {
            settings.HelpWriter = null;
            settings.CaseSensitive = true;
            settings.IgnoreUnknownArguments = false;
            settings.AutoHelp = true;
            settings.AutoVersion = true;
        });
        var result = parser.ParseArguments<TOptions>(list);
        if (result is Parsed<TOptions> parsed)
        {
            var reason = parsed.Value.Validate() ?? ValidateEnvFile(parsed.Value);
            return reason is null
                ? FleetCommandLineResult<TOptions>.Run(parsed.Value)
                : FleetCommandLineResult<TOptions>.Exit(FleetExitCode.Usage, Usage(reason), isError: true);
        }

        var errors = ((NotParsed<TOptions>)result).Errors.ToList();
        if (errors.IsHelp())
        {
            var help = HelpText.AutoBuild(result, text =>
            {
                text.AdditionalNewLineAfterOption = false;
                text.AddDashesToOption = true;
                text.Copyright = string.Empty;
                return text;
            }, example => example);
            return FleetCommandLineResult<TOptions>.Exit(FleetExitCode.Success, help.ToString(), isError: false);
        }

        if (errors.IsVersion())
        {
            return FleetCommandLineResult<TOptions>.Exit(FleetExitCode.Success, ProgramVersion(), isError: false);
        }

        var sentence = SentenceBuilder.Create().FormatError(errors[0]);
        return FleetCommandLineResult<TOptions>.Exit(FleetExitCode.Usage, Usage(sentence), isError: true);
    }

    /// <summary>
    /// Parses the arguments; when the process should end here, prints help to stdout or a one-line reason to
    /// stderr. Call it first in Program.cs: <c>if (FleetCommandLine.TryHandle&lt;T&gt;(args, out var code)) return code;</c>
    /// </summary>
    /// <typeparam name="TOptions">The worker's options type.</typeparam>
    /// <param name="args">The process arguments.</param>
    /// <param name="exitCode">The exit code when this returns true.</param>
    /// <returns>True when the process should exit with <paramref name="exitCode"/> without starting.</returns>
    public static bool TryHandle<TOptions>(string[] args, out int exitCode)
        where TOptions : FleetCliOptions, new()
    {
        var result = Parse<TOptions>(args);
        exitCode = result.ExitCode ?? FleetExitCode.Success;
        if (result.Options is not null)
        {
            return false;
        }

        if (result.IsError)
        {
            Console.Error.WriteLine(result.Text);
        }
        else
        {
            Console.Out.WriteLine(result.Text);
        }

        return true;
    }

    /// <summary>Same as <see cref="TryHandle{TOptions}"/> for workers without options of their own.</summary>
    /// <param name="args">The process arguments.</param>
    /// <param name="exitCode">The exit code when this returns true.</param>
    /// <returns>True when the process should exit with <paramref name="exitCode"/> without starting.</returns>
    public static bool TryHandle(string[] args, out int exitCode) => TryHandle<FleetCliOptions>(args, out exitCode);

    /// <summary>
    /// CommandLineParser silently reads <c>--region --instance x</c> as no region and ignores stray words;
    /// both are typing mistakes that must stop the worker, so they are caught before it runs.
    /// </summary>
    private static string? FindMissingValue<TOptions>(List<string> args)
    {
        var valued = new HashSet<string>(StringComparer.Ordinal);
        var switches = new HashSet<string>(StringComparer.Ordinal) { "help", "version" };
        foreach (var property in typeof(TOptions).GetProperties())
        {
            if (property.GetCustomAttribute<OptionAttribute>() is { LongName.Length: > 0 } option)
            {
                (property.PropertyType == typeof(bool) ? switches : valued).Add(option.LongName);
            }
        }

        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith('-'))
            {
                return $"Unexpected argument '{arg}'.";
            }

            var name = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..] : null;
            if (name is not null && !name.Contains('=', StringComparison.Ordinal) && !valued.Contains(name) && !switches.Contains(name))
            {
                // An unknown option: the parser names it better than "unexpected argument" for its value would.
                return null;
            }

            if (name is not null && valued.Contains(name))
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    return $"{arg}: a value is required.";
                }

                i++;
            }
        }

        return null;
    }

    private static string? ValidateEnvFile(FleetCliOptions options)
    {
        var path = DotEnvFile.ResolvePath(options.EnvFile);
        if (path is null)
        {
            return null;
        }

        try
        {
            DotEnvFile.Read(path);
            return null;
        }
        catch (FormatException ex)
        {
            return ex.Message;
        }
        catch (IOException ex)
        {
            return $"{path}: {ex.Message}";
        }
        catch (UnauthorizedAccessException ex)
        {
            return $"{path}: {ex.Message}";
        }
    }

    private static string Usage(string reason) =>
        // One line whatever the reason says: supervisors and humans read only the last line anyway.
        $"{ProgramName()}: {reason.ReplaceLineEndings(" ").Trim()} Run with --help for usage.";

    private static string ProgramName() => Assembly.GetEntryAssembly()?.GetName().Name ?? "worker";

    private static string ProgramVersion()
    {
        var assembly = Assembly.GetEntryAssembly();
        var version = assembly?.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly?.GetName().Version?.ToString()
            ?? "unknown";
        return $"{ProgramName()} {version}";
    }
}
