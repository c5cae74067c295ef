using System.Globalization;
using CommandLine;
using Fleet.LoadRunner;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl-C stops the load and still writes the report; a second one ends the process.
    e.Cancel = !cancel.IsCancellationRequested;
    cancel.Cancel();
};

var parsed = new Parser(s =>
{
    s.HelpWriter = Console.Error;
    s.CaseInsensitiveEnumValues = true;
}).ParseArguments<RunnerOptions>(args);
if (parsed is not Parsed<RunnerOptions> { Value: var options })
{
    return parsed.Errors.Any(e => e.Tag is ErrorType.HelpRequestedError or ErrorType.VersionRequestedError) ? 0 : 2;
}

try
{
    return await LoadRunnerCommand.RunAsync(options, Console.Out, cancel.Token);
}
catch (Exception ex) when (ex is InvalidDataException or ArgumentException or HttpRequestException or FileNotFoundException)
{
    await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"loadrunner: {ex.Message}"));
    return 1;
}
