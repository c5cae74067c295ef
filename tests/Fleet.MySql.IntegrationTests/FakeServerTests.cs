using Fleet.TestUtilities;

namespace Fleet.MySql.IntegrationTests;

/// <summary>Authentication paths and handshake failures that MariaDB cannot produce, against a scripted server.</summary>
public sealed class FakeServerTests
{
    private const string Password = "s3cret-🔑";

    [Fact]
    public async Task CachingSha2FastAuthenticationSucceeds()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var server = new FakeMySqlServer(FakeMySqlBehavior.CachingSha2Fast, Password);
        await using var connection = new MySqlConnection(ConnectionString(server, Password));
        await connection.OpenAsync(cts.Token);
        Assert.Equal("8.0.36-fake", connection.ServerVersion);
        Assert.Contains("fast-auth-ok", server.Events);
    }

    [Fact]
    public async Task CachingSha2WrongPasswordIsAccessDenied()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var server = new FakeMySqlServer(FakeMySqlBehavior.CachingSha2Fast, Password);
        await using var connection = new MySqlConnection(ConnectionString(server, "wrong"));
        var error = await Assert.ThrowsAsync<MySqlException>(() => connection.OpenAsync(cts.Token));
        Assert.Equal(1045, error.Number);
    }

    [Fact]
    public async Task CachingSha2FullAuthenticationEncryptsWithTheServersRsaKey()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var server = new FakeMySqlServer(FakeMySqlBehavior.CachingSha2FullRsa, Password);
        await using var connection = new MySqlConnection(ConnectionString(server, Password) + ";AllowPublicKeyRetrieval=true");
        await connection.OpenAsync(cts.Token);
        Assert.Equal(["public-key-sent", "full-auth-ok"], server.Events.Where(e => e.Contains("key", StringComparison.Ordinal) || e.Contains("full", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task CachingSha2FullAuthenticationWithoutTlsNeedsPublicKeyRetrieval()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var server = new FakeMySqlServer(FakeMySqlBehavior.CachingSha2FullRsa, Password);
        await using var connection = new MySqlConnection(ConnectionString(server, Password));
        var error = await Assert.ThrowsAsync<MySqlException>(() => connection.OpenAsync(cts.Token));
        Assert.Equal(MySqlErrorCodes.AuthenticationPluginError, error.Number);
    }

    [Fact]
    public async Task ServerDroppingAfterGreetingFailsOpenClearly()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var server = new FakeMySqlServer(FakeMySqlBehavior.DropAfterGreeting, Password);
        await using var connection = new MySqlConnection(ConnectionString(server, Password));
        var error = await Assert.ThrowsAsync<MySqlException>(() => connection.OpenAsync(cts.Token));
        Assert.Equal(MySqlErrorCodes.UnableToConnectToHost, error.Number);
    }

    [Fact]
    public async Task SilentServerHitsTheConnectTimeoutInsteadOfHanging()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var server = new FakeMySqlServer(FakeMySqlBehavior.HangAfterGreeting, Password);
        await using var connection = new MySqlConnection(ConnectionString(server, Password) + ";Connection Timeout=1");
        var error = await Assert.ThrowsAsync<MySqlException>(() => connection.OpenAsync(cts.Token));
        Assert.Equal(MySqlErrorCodes.UnableToConnectToHost, error.Number);
        Assert.Contains("Connect Timeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnansweredQueryEndsInCommandTimeoutAndABrokenSession()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var server = new FakeMySqlServer(FakeMySqlBehavior.CachingSha2FastThenHangOnQuery, Password);
        await using var connection = new MySqlConnection(ConnectionString(server, Password));
        await connection.OpenAsync(cts.Token);
        await using var command = new MySqlCommand("SELECT 1", connection) { CommandTimeout = 1 };
        var error = await Assert.ThrowsAsync<MySqlException>(() => command.ExecuteScalarAsync(cts.Token));
        Assert.Equal(MySqlErrorCodes.CommandTimeoutExpired, error.Number);
        Assert.Contains("ok:KILL QUERY 42", server.Events);

        // The socket was abandoned, so the connection cannot run anything else.
        var next = await Assert.ThrowsAnyAsync<Exception>(() => command.ExecuteScalarAsync(cts.Token));
        Assert.True(next is MySqlException or InvalidOperationException, next.ToString());
    }

    [Fact]
    public async Task UnansweredQueryEndsWhenTheTokenIsCanceled()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var server = new FakeMySqlServer(FakeMySqlBehavior.CachingSha2FastThenHangOnQuery, Password);
        await using var connection = new MySqlConnection(ConnectionString(server, Password));
        await connection.OpenAsync(cts.Token);
        using var cancel = new CancellationTokenSource();
        await using var command = new MySqlCommand("SELECT 1", connection) { CommandTimeout = 0 };
        var running = command.ExecuteScalarAsync(cancel.Token);
        await cancel.CancelAsync();
        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.Equal(cancel.Token, error.CancellationToken);
    }

    [Fact]
    public async Task SyncCommandOnUnansweredQueryAlsoTimesOut()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var server = new FakeMySqlServer(FakeMySqlBehavior.CachingSha2FastThenHangOnQuery, Password);
        var error = await Task.Run(
            () =>
            {
                using var connection = new MySqlConnection(ConnectionString(server, Password));
                connection.Open();
                using var command = new MySqlCommand("SELECT 1", connection) { CommandTimeout = 1 };
                return Assert.Throws<MySqlException>(() => command.ExecuteScalar());
            },
            cts.Token).WaitAsync(cts.Token);
        Assert.Equal(MySqlErrorCodes.CommandTimeoutExpired, error.Number);
    }

    private static string ConnectionString(FakeMySqlServer server, string password) =>
        $"Server=127.0.0.1;Port={server.Port};User ID=app;Password={password};SslMode=None;Pooling=false";
}
