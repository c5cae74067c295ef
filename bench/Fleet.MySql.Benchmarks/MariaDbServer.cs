using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Fleet.MySql.Benchmarks;

/// <summary>
/// A private MariaDB (Debian package mariadb-server) in a temporary directory on a free loopback port, killed by
/// PID on dispose so a failed run never leaves a server behind.
/// </summary>
internal sealed class MariaDbServer : IDisposable
{
    public const string User = "bench";
    public const string Password = "bench-password";
    public const string Database = "bench";

    private readonly string _directory;
    private Process? _process;

    private MariaDbServer(string directory, int port)
    {
        _directory = directory;
        Port = port;
        SocketPath = Path.Combine(directory, "mysqld.sock");
    }

    public int Port { get; }

    public string SocketPath { get; }

    /// <summary>The run's private temporary directory, deleted with the server.</summary>
    public string WorkDirectory => _directory;

    /// <summary>The server's process id, for reading its CPU time from /proc.</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("The server is not running.");

    /// <summary>TCP over loopback without TLS, as both .NET clients use it.</summary>
    public string ConnectionString =>
        $"Server=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};User ID={User};Password={Password};" +
        $"Database={Database};SslMode=None;Pooling=true;Maximum Pool Size=200";

    /// <summary>The same login over the Unix socket, the transport mariadb-slap uses by default.</summary>
    public string SocketConnectionString =>
        $"Server={SocketPath};User ID={User};Password={Password};Database={Database};SslMode=None;Pooling=true;Maximum Pool Size=200";

    public static async Task<MariaDbServer> StartAsync(CancellationToken cancellationToken)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"fleet-mysql-bench-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var server = new MariaDbServer(directory, FreePort());
        try
        {
            await server.StartCoreAsync(cancellationToken);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>Runs SQL as root over the Unix socket with the mariadb command-line client.</summary>
    public async Task<string> ExecuteAsRootAsync(string sql, CancellationToken cancellationToken)
    {
        var result = await ExternalTool.RunAsync(
            "mariadb", ["--no-defaults", "-uroot", $"--socket={SocketPath}", "--batch", "--skip-column-names", "-e", sql],
            TimeSpan.FromSeconds(120), cancellationToken);
        result.ThrowIfFailed();
        return result.Output;
    }

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            try
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
            catch (InvalidOperationException)
            {
                // Exited between the check and the kill: nothing left to stop.
            }
        }

        _process?.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a dying server; the directory is in /tmp and named after this run.
        }
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        var dataDir = Path.Combine(_directory, "data");
        var tmpDir = Path.Combine(_directory, "tmp");

        // A private tmpdir: other engineers' servers share /tmp on this machine.
        Directory.CreateDirectory(tmpDir);
        var install = await ExternalTool.RunAsync(
            "mariadb-install-db",
            ["--no-defaults", $"--datadir={dataDir}", "--user=root", "--auth-root-authentication-method=socket", "--skip-test-db", $"--tmpdir={tmpDir}"],
            TimeSpan.FromSeconds(180), cancellationToken);
        install.ThrowIfFailed();

        var info = new ProcessStartInfo("mariadbd")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--no-defaults", $"--datadir={dataDir}", $"--socket={SocketPath}", $"--port={Port.ToString(CultureInfo.InvariantCulture)}",
            "--bind-address=127.0.0.1", "--user=root", "--skip-name-resolve", "--max-connections=500", $"--tmpdir={tmpDir}",
            "--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci", "--innodb-buffer-pool-size=128M",
            $"--pid-file={Path.Combine(_directory, "mysqld.pid")}", $"--log-error={Path.Combine(_directory, "error.log")}",
        })
        {
            info.ArgumentList.Add(argument);
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException("Could not start mariadbd.");
        _process.OutputDataReceived += static (_, _) => { };
        _process.ErrorDataReceived += static (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilListeningAsync(cancellationToken);
    }

    private async Task WaitUntilListeningAsync(CancellationToken cancellationToken)
    {
        // Bounded: a loaded shared machine can take tens of seconds to start InnoDB, never minutes.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(120));
        while (true)
        {
            if (_process!.HasExited)
            {
                var log = Path.Combine(_directory, "error.log");
                var tail = File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(20)) : string.Empty;
                throw new InvalidOperationException($"mariadbd exited with code {_process.ExitCode}:\n{tail}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port, timeout.Token);
                if (File.Exists(SocketPath))
                {
                    return;
                }
            }
            catch (SocketException)
            {
                // Not listening yet.
            }

            await Task.Delay(100, timeout.Token);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
