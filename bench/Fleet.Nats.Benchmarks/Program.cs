using System.Runtime.InteropServices;
using CommandLine;
using Fleet.Nats;
using Fleet.Nats.Benchmarks;

// Exit codes as the workers use them: 2 for a bad command line, 1 for a failed run.
var parsed = new Parser(settings =>
{
    settings.HelpWriter = Console.Error;
    settings.CaseInsensitiveEnumValues = true;
}).ParseArguments<BenchmarkOptions>(args);
if (parsed is not Parsed<BenchmarkOptions> { Value: var options })
{
    return parsed.Errors.All(e => e is HelpRequestedError or VersionRequestedError) ? 0 : 2;
}

if (options.Validate() is { } problem)
{
    Console.Error.WriteLine(problem);
    return 2;
}

using var stop = new CancellationTokenSource();
NatsServerProcess? server = null;

// First SIGINT/SIGTERM/SIGHUP: cancel the run and let the finally block below kill the private server. A second one:
// kill the server right here, then let the runtime terminate as usual.
void OnSignal(PosixSignalContext context)
{
    if (!stop.IsCancellationRequested)
    {
        context.Cancel = true;
        stop.Cancel();
        return;
    }

    server?.Dispose();
}

using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);

var loadBefore = MachineDescription.LoadAverage();
try
{
    if (options.Server is null)
    {
        server = await NatsServerProcess.StartAsync(stop.Token);
        Console.WriteLine($"started nats-server on {server.Url}");
    }

    var url = new Uri(options.Server ?? server!.Url);
    var series = await new BenchmarkRunner(options, url, new CpuMeter(server), Console.Out).RunAsync(stop.Token);
    var loadAfter = MachineDescription.LoadAverage();
    var command = "dotnet run -c Release --project bench/Fleet.Nats.Benchmarks -- "
        + string.Join(' ', args.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a));
    var section = MarkdownReport.Render(series, MachineDescription.Collect(options.Server), command.TrimEnd(), loadBefore, loadAfter, options.Messages, options.WarmupMessages > 0);
    Console.WriteLine();
    Console.WriteLine(section);
    if (options.Output is not null)
    {
        MarkdownReport.WriteSection(options.Output, section);
        Console.WriteLine($"wrote the '{MarkdownReport.Heading}' section of {options.Output}");
    }

    return 0;
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    Console.Error.WriteLine("cancelled");
    return 1;
}
catch (Exception ex) when (ex is TimeoutException or InvalidOperationException or IOException or System.Net.Sockets.SocketException or NatsException)
{
    // A timeout says all there is to say; anything else needs its stack.
    Console.Error.WriteLine(ex is TimeoutException ? $"benchmark failed: {ex.Message}" : $"benchmark failed: {ex}");
    return 1;
}
finally
{
    server?.Dispose();
}
