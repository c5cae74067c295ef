using System.Globalization;

namespace Fleet.TestUtilities;

/// <summary>
/// A real MariaDB server (Debian package mariadb-server) with a temporary datadir on a free loopback port,
/// or the external MySQL 8 named by <c>FLEET_TEST_MYSQL</c> (a connection string with a user allowed to
/// create databases). Tests create their own databases with <see cref="CreateDatabaseAsync"/>.
/// </summary>
public sealed class MySqlFixture : IAsyncLifetime
{
    public const string User = "fleet_test";
    public const string Password = "fleet-test-password";

    private TempDirectory? _dataDirectory;
    private ServerProcess? _server;
    private int _databaseCounter;

    public string Host { get; private set; } = "127.0.0.1";

    public int Port { get; private set; }

    /// <summary>The server's Unix socket, or null for an external server.</summary>
    public string? SocketPath { get; private set; }

    /// <summary>A connection string with no database selected (MySqlConnector keywords).</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable("FLEET_TEST_MYSQL");
        if (!string.IsNullOrWhiteSpace(external))
        {
            ConnectionString = external;
            return;
        }

        var installDb = ServerBinary.Require("mariadb-install-db", "mariadb-server");
        var mariadbd = ServerBinary.Require("mariadbd", "mariadb-server");
        _dataDirectory = new TempDirectory("mariadb");
        var dataDir = Path.Combine(_dataDirectory.Path, "data");
        SocketPath = Path.Combine(_dataDirectory.Path, "mysqld.sock");
        Port = FreeTcpPort.Next();

        // A private tmpdir: with the shared /tmp, parallel installs were seen to lose their temporary tables.
        var tmpDir = Path.Combine(_dataDirectory.Path, "tmp");
        Directory.CreateDirectory(tmpDir);

        using (var install = ServerProcess.Start(
            installDb,
            ["--no-defaults", $"--datadir={dataDir}", "--user=root", "--auth-root-authentication-method=socket", "--skip-test-db", $"--tmpdir={tmpDir}"],
            "mariadb-install-db"))
        {
            await WaitForExitAsync(install, TimeSpan.FromSeconds(120));
        }

        _server = ServerProcess.Start(
            mariadbd,
            [
                "--no-defaults", $"--datadir={dataDir}", $"--socket={SocketPath}",
                $"--port={Port.ToString(CultureInfo.InvariantCulture)}", "--bind-address=127.0.0.1", "--user=root",
                "--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci",
                $"--pid-file={Path.Combine(_dataDirectory.Path, "mysqld.pid")}",
                "--innodb-buffer-pool-size=64M", "--skip-name-resolve", "--max-connections=500", $"--tmpdir={tmpDir}",
            ],
            "mariadbd");
        await FreeTcpPort.WaitUntilListeningAsync(Port, _server, TimeSpan.FromSeconds(60));

        // Root logs in through the socket only; tests connect over TCP as a password user, like the workers do.
        await ExecuteAsRootAsync(
            $"CREATE USER '{User}'@'%' IDENTIFIED BY '{Password}'; " +
            $"GRANT ALL PRIVILEGES ON *.* TO '{User}'@'%' WITH GRANT OPTION; FLUSH PRIVILEGES;");
        ConnectionString = $"Server={Host};Port={Port};User ID={User};Password={Password};SslMode=None";
    }

    /// <summary>Creates a fresh, empty database and returns a connection string selecting it.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "t")
    {
        var name = $"{prefix}_{Environment.ProcessId}_{Interlocked.Increment(ref _databaseCounter)}";
        await ExecuteAsRootAsync($"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;");
        return $"{ConnectionString};Database={name}";
    }

    /// <summary>Runs SQL through the mariadb command-line client as root over the socket.</summary>
    public async Task ExecuteAsRootAsync(string sql)
    {
        if (SocketPath is null)
        {
            throw new InvalidOperationException("Root access is only available on the fixture's own MariaDB, not on FLEET_TEST_MYSQL.");
        }

        var client = ServerBinary.Require("mariadb", "mariadb-client");
        using var process = ServerProcess.Start(client, ["--no-defaults", "-uroot", $"--socket={SocketPath}", "-e", sql], "mariadb");
        await WaitForExitAsync(process, TimeSpan.FromSeconds(30));
    }

    /// <summary>Kills the server with SIGKILL, as a crash would.</summary>
    public void Kill() => _server?.Kill();

    public Task DisposeAsync()
    {
        _server?.Dispose();
        _dataDirectory?.Dispose();
        return Task.CompletedTask;
    }

    private static async Task WaitForExitAsync(ServerProcess process, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!process.HasExited)
        {
            await Task.Delay(50, cts.Token);
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{process.Name} failed with exit code {process.ExitCode}:\n{process.Output}");
        }
    }
}
