using System.Globalization;
using System.Runtime.InteropServices;
using CommandLine;
using Fleet.LoadRunner;

// Before the first socket exists (the runtime reads it once): socket completions run on the epoll thread instead
// of hopping to the thread pool. Measured on the 2-core box (api-read, closed ×16, 15 s): client CPU per request fell
// from about 0.27 ms to 0.09 ms, mostly system time of thread wake-ups, CPU the server under test gets back.
// Safe here because nothing the runner does after a socket completes blocks.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
{
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl-C stops the load and still writes the report; a second one ends the process.
    e.Cancel = !cancel.IsCancellationRequested;
    cancel.Cancel();
};

// SIGTERM stops a run the same way, for callers that cannot send Ctrl-C: a process started from a background
// job inherits SIGINT as ignored, and the runtime then never reports it (the end-to-end tests hung on that).
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = !cancel.IsCancellationRequested;
    cancel.Cancel();
});

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
