using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Fleet.TestUtilities;

/// <summary>
/// A real MariaDB with TLS enabled: a throwaway CA and a server certificate for 127.0.0.1/localhost, made with
/// System.Security.Cryptography at start-up. MySqlFixture's server has no certificate (MariaDB 10.11 does not
/// generate one), so TLS tests need this second server.
/// </summary>
public sealed class TlsMySqlFixture : IAsyncLifetime
{
    public const string User = "fleet_tls";
    public const string Password = "fleet-tls-password";

    private TempDirectory? _directory;
    private ServerProcess? _server;

    public int Port { get; private set; }

    public string SocketPath { get; private set; } = string.Empty;

    /// <summary>PEM file of the CA that signed the server certificate (for SslCa).</summary>
    public string CaCertificatePath { get; private set; } = string.Empty;

    /// <summary>A TCP connection string without SslMode.</summary>
    public string ConnectionString => $"Server=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};User ID={User};Password={Password}";

    public async Task InitializeAsync()
    {
        var installDb = ServerBinary.Require("mariadb-install-db", "mariadb-server");
        var mariadbd = ServerBinary.Require("mariadbd", "mariadb-server");
        _directory = new TempDirectory("mariadb-tls");
        var dataDir = Path.Combine(_directory.Path, "data");
        SocketPath = Path.Combine(_directory.Path, "mysqld.sock");
        Port = FreeTcpPort.Next();
        var (ca, cert, key) = WriteCertificates(_directory.Path);

        // A private tmpdir: with the default /tmp, parallel servers' temporary tables were seen to vanish mid-install.
        var tmpDir = Path.Combine(_directory.Path, "tmp");
        Directory.CreateDirectory(tmpDir);
        CaCertificatePath = ca;

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
                "--character-set-server=utf8mb4", $"--pid-file={Path.Combine(_directory.Path, "mysqld.pid")}",
                "--innodb-buffer-pool-size=32M", "--skip-name-resolve",
                $"--ssl-ca={ca}", $"--ssl-cert={cert}", $"--ssl-key={key}", $"--tmpdir={tmpDir}",
            ],
            "mariadbd-tls");
        await FreeTcpPort.WaitUntilListeningAsync(Port, _server, TimeSpan.FromSeconds(60));

        var client = ServerBinary.Require("mariadb", "mariadb-client");
        using var setup = ServerProcess.Start(
            client,
            ["--no-defaults", "-uroot", $"--socket={SocketPath}", "-e",
                $"CREATE USER '{User}'@'%' IDENTIFIED BY '{Password}'; GRANT ALL PRIVILEGES ON *.* TO '{User}'@'%'; FLUSH PRIVILEGES;"],
            "mariadb");
        await WaitForExitAsync(setup, TimeSpan.FromSeconds(30));
    }

    public Task DisposeAsync()
    {
        _server?.Dispose();
        _directory?.Dispose();
        return Task.CompletedTask;
    }

    private static (string Ca, string Cert, string Key) WriteCertificates(string directory)
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Fleet Test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var caCertificate = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));

        using var serverKey = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var serverCertificate = request.Create(caCertificate, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(6), [1, 2, 3, 4, 5, 6, 7, 8]);

        var ca = Path.Combine(directory, "ca.pem");
        var cert = Path.Combine(directory, "server-cert.pem");
        var key = Path.Combine(directory, "server-key.pem");
        File.WriteAllText(ca, caCertificate.ExportCertificatePem());
        File.WriteAllText(cert, serverCertificate.ExportCertificatePem());
        File.WriteAllText(key, serverKey.ExportRSAPrivateKeyPem());
        return (ca, cert, key);
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
