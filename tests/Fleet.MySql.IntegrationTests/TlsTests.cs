using Dapper;
using Fleet.TestUtilities;

namespace Fleet.MySql.IntegrationTests;

/// <summary>SslMode against a real MariaDB with a certificate from a throwaway CA.</summary>
public sealed class TlsTests(TlsMySqlFixture fixture) : IClassFixture<TlsMySqlFixture>
{
    [Theory]
    [InlineData("Required")]
    [InlineData("Preferred")]
    public async Task TcpConnectionIsEncrypted(string sslMode)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var connection = new MySqlConnection(fixture.ConnectionString + ";SslMode=" + sslMode);
        await connection.OpenAsync(cts.Token);
        Assert.True(connection.IsEncrypted);
        Assert.StartsWith("TLS", await SslVersionAsync(connection, cts.Token), StringComparison.Ordinal);
        Assert.Equal("x'y", await connection.ExecuteScalarAsync<string>(new CommandDefinition("SELECT @p", new { p = "x'y" }, cancellationToken: cts.Token)));
    }

    [Fact]
    public async Task NoneAndUnixSocketStayPlain()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using (var plain = new MySqlConnection(fixture.ConnectionString + ";SslMode=None"))
        {
            await plain.OpenAsync(cts.Token);
            Assert.False(plain.IsEncrypted);
            Assert.Equal(string.Empty, await SslVersionAsync(plain, cts.Token));
        }

        await using var unix = new MySqlConnection($"Server={fixture.SocketPath};User ID={TlsMySqlFixture.User};Password={TlsMySqlFixture.Password}");
        await unix.OpenAsync(cts.Token);
        Assert.False(unix.IsEncrypted);
    }

    [Theory]
    [InlineData("VerifyCA")]
    [InlineData("VerifyFull")]
    public async Task VerifyModesRejectAnUntrustedCertificate(string sslMode)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var connection = new MySqlConnection(fixture.ConnectionString + ";SslMode=" + sslMode);
        var error = await Assert.ThrowsAsync<MySqlException>(() => connection.OpenAsync(cts.Token));
        Assert.Equal(MySqlErrorCodes.SslConnectionError, error.Number);
    }

    [Theory]
    [InlineData("VerifyCA", "127.0.0.1")]
    [InlineData("VerifyFull", "127.0.0.1")]
    [InlineData("VerifyFull", "localhost")]
    public async Task VerifyModesAcceptACertificateFromTheGivenCa(string sslMode, string host)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var connectionString = fixture.ConnectionString.Replace("Server=127.0.0.1", "Server=" + host, StringComparison.Ordinal)
            + $";SslMode={sslMode};SslCa={fixture.CaCertificatePath}";
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync(cts.Token);
        Assert.True(connection.IsEncrypted);
    }

    private static async Task<string> SslVersionAsync(MySqlConnection connection, CancellationToken cancellationToken)
    {
        var row = await connection.QuerySingleAsync<(string Name, string Value)>(new CommandDefinition(
            "SHOW SESSION STATUS LIKE 'Ssl_version'", cancellationToken: cancellationToken));
        return row.Value;
    }
}
