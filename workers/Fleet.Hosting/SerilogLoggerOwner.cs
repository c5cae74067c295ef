using Microsoft.Extensions.Hosting;
using Serilog;

namespace Fleet.Hosting;

/// <summary>
/// Disposes a host's Serilog logger with the host, unless it is still <see cref="Log.Logger"/>: then Program.cs
/// still needs it for the Fatal line of a failed run and closes it in its finally. Several hosts in one process
/// (in-process tests) each get their files closed this way without closing each other's.
/// </summary>
/// <remarks>A hosted service only so that the container creates it, and therefore disposes it.</remarks>
internal sealed class SerilogLoggerOwner(Serilog.Core.Logger logger) : IHostedService, IDisposable
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        if (!ReferenceEquals(Log.Logger, logger))
        {
            logger.Dispose();
        }
    }
}
