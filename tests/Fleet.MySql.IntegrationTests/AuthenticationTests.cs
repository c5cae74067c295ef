using Dapper;
using Fleet.TestUtilities;

namespace Fleet.MySql.IntegrationTests;

/// <summary>Authentication plugins a real MariaDB offers: mysql_native_password (the default) and client_ed25519.</summary>
[Collection(MySqlServerGroup.Name)]
public sealed class AuthenticationTests(MySqlFixture fixture)
{
    [Fact]
    public async Task NativePasswordLogsInOverTcp()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var connection = new MySqlConnection(fixture.ConnectionString + ";Pooling=false");
        await connection.OpenAsync(cts.Token);
        Assert.Equal(MySqlFixture.User, (await connection.ExecuteScalarAsync<string>(new CommandDefinition("SELECT CURRENT_USER()", cancellationToken: cts.Token)))!.Split('@')[0]);
    }

    [Fact]
    public async Task Ed25519UserLogsInAndWrongPasswordIsDenied()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        const string password = "ed-sëcret-🔑";
        var user = "ed_" + Guid.NewGuid().ToString("N")[..8];
        await fixture.ExecuteAsRootAsync(
            $"INSTALL PLUGIN IF NOT EXISTS ed25519 SONAME 'auth_ed25519'; CREATE USER '{user}'@'%' IDENTIFIED VIA ed25519 USING PASSWORD('{password}');");
        var baseString = $"Server=127.0.0.1;Port={fixture.Port};User ID={user};SslMode=None;Pooling=false";

        await using (var connection = new MySqlConnection(baseString + $";Password={password}"))
        {
            await connection.OpenAsync(cts.Token);
            Assert.Equal(1, await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: cts.Token)));
        }

        await using var wrong = new MySqlConnection(baseString + ";Password=not-it");
        var error = await Assert.ThrowsAsync<MySqlException>(() => wrong.OpenAsync(cts.Token));
        Assert.Equal(1045, error.Number);
    }
}
