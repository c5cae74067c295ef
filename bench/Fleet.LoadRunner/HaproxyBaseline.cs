using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Fleet.LoadRunner;

/// <summary>
/// A private haproxy (Debian package) on a free loopback port that answers every request itself with
/// <c>http-request return</c>: the cost of HAProxy and the loopback network without any worker behind it. Chat
/// WebSockets (<c>/chat/</c>) are tunnelled to a <see cref="ChatBaselineRelay"/> in this process instead.
/// Killed by its PID on dispose, its temporary directory removed.
/// </summary>
public sealed class HaproxyBaseline : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;
    private readonly ChatBaselineRelay _chat;

    private HaproxyBaseline(Process process, string directory, int port, ChatBaselineRelay chat)
    {
        _process = process;
        _directory = directory;
        _chat = chat;
        BaseUrl = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"));
    }

    /// <summary>Where the baseline listens.</summary>
    public Uri BaseUrl { get; }

    /// <summary>Starts haproxy and waits until it accepts connections.</summary>
    public static async Task<HaproxyBaseline> StartAsync(CancellationToken cancellationToken)
    {
        var port = FreePort();
        var chat = await ChatBaselineRelay.StartAsync(FreePort());
        var directory = Directory.CreateTempSubdirectory("loadrunner-haproxy-").FullName;
        var config = Path.Combine(directory, "haproxy.cfg");
        // The same body for every path: the scenario's paths and ids reach it unchanged, only the answer is canned.
        await File.WriteAllTextAsync(config, string.Create(CultureInfo.InvariantCulture, $$"""
            global
              # Each connection needs two descriptors; 8000 stays below the usual 20000 descriptor limit here.
              maxconn 8000
            defaults
              mode http
              timeout connect 5s
              timeout client 30s
              timeout server 30s
            frontend fe_baseline
              bind 127.0.0.1:{{port}}
              # Chat WebSockets go through to the in-process relay (ChatBaselineRelay); everything else is answered here.
              http-request return status 200 content-type text/plain string baseline unless { path_beg /chat/ }
              use_backend be_chat if { path_beg /chat/ }
            backend be_chat
              # As be_chat of the fleet: an upgraded connection lives as long as the client keeps it.
              timeout tunnel 1h
              server relay 127.0.0.1:{{chat.Port}}

            """), cancellationToken);
        var process = Process.Start(new ProcessStartInfo("haproxy", ["-db", "-f", config])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("haproxy did not start (Debian package haproxy).");
        var baseline = new HaproxyBaseline(process, directory, port, chat);
        try
        {
            await baseline.WaitUntilListeningAsync(port, cancellationToken);
            return baseline;
        }
        catch
        {
            // Whatever stopped the wait (haproxy exited, never listened, the caller cancelled), nothing stays behind.
            await baseline.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills the process by PID and removes the temporary directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        await _chat.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task WaitUntilListeningAsync(int port, CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(TimeSpan.FromSeconds(15));
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException("haproxy exited: " + await _process.StandardError.ReadToEndAsync(cancellationToken));
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, wait.Token);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50, wait.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"haproxy did not listen on 127.0.0.1:{port} within 15 s.");
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
