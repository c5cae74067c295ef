using Fleet.MySql.Internal;

namespace Fleet.MySql.Tests;

public sealed class ConnectionSettingsTests
{
    [Fact]
    public void ParsesMySqlConnectorKeywordsAndSynonyms()
    {
        var settings = ConnectionSettings.Parse(
            "Host=db1, db2;Port=3307;Initial Catalog=app;Uid=svc;Pwd='p;w=d';SslMode=VerifyCA;Pooling=false;" +
            "Min Pool Size=2;Max Pool Size=9;Connection Lifetime=60;Connect Timeout=4;Default Command Timeout=7;" +
            "Connection Idle Timeout=11;Connection Reset=false;Allow User Variables=true;AllowPublicKeyRetrieval=yes;" +
            "UseAffectedRows=true;AllowBatch=true;TreatTinyAsBoolean=false;Application Name=api;CharSet=utf8mb4");
        Assert.Equal(["db1", "db2"], settings.Hosts);
        Assert.Equal(3307, settings.Port);
        Assert.Equal("app", settings.Database);
        Assert.Equal("svc", settings.UserId);
        Assert.Equal("p;w=d", settings.Password);
        Assert.Equal(MySqlSslMode.VerifyCA, settings.SslMode);
        Assert.False(settings.Pooling);
        Assert.Equal(2, settings.MinimumPoolSize);
        Assert.Equal(9, settings.MaximumPoolSize);
        Assert.Equal(60, settings.ConnectionLifetime);
        Assert.Equal(4, settings.ConnectionTimeout);
        Assert.Equal(7, settings.DefaultCommandTimeout);
        Assert.Equal(11, settings.ConnectionIdleTimeout);
        Assert.False(settings.ConnectionReset);
        Assert.True(settings.AllowUserVariables);
        Assert.True(settings.AllowPublicKeyRetrieval);
        Assert.True(settings.UseAffectedRows);
        Assert.True(settings.AllowBatch);
        Assert.False(settings.TreatTinyAsBoolean);
        Assert.Equal("api", settings.ApplicationName);
        Assert.Null(settings.UnixSocket);
    }

    [Fact]
    public void DefaultsFollowMySqlConnector()
    {
        var settings = ConnectionSettings.Parse("Server=127.0.0.1;User ID=u");
        Assert.Equal(3306, settings.Port);
        Assert.Equal(MySqlSslMode.Preferred, settings.SslMode);
        Assert.True(settings.Pooling);
        Assert.Equal(100, settings.MaximumPoolSize);
        Assert.Equal(15, settings.ConnectionTimeout);
        Assert.Equal(30, settings.DefaultCommandTimeout);
        Assert.False(settings.AllowBatch);
    }

    [Theory]
    [InlineData("Server=/run/mysqld/mysqld.sock;User=u")]
    [InlineData("Server=/tmp/x.sock;Protocol=Unix;Username=u")]
    public void PathServerMeansUnixSocket(string connectionString)
    {
        var settings = ConnectionSettings.Parse(connectionString);
        Assert.StartsWith("/", settings.UnixSocket, StringComparison.Ordinal);
        Assert.Empty(settings.Hosts);
    }

    [Theory]
    [InlineData("Server=x;Bogus=1")]
    [InlineData("Server=x;Port=0")]
    [InlineData("Server=x;Port=abc")]
    [InlineData("Server=x;Pooling=maybe")]
    [InlineData("Server=x;SslMode=Sometimes")]
    [InlineData("Server=x;Min Pool Size=5;Max Pool Size=2")]
    [InlineData("Server=x;CharSet=latin1")]
    [InlineData("Server=x;Protocol=pipe")]
    public void InvalidConnectionStringsAreRejected(string connectionString) =>
        Assert.Throws<ArgumentException>(() => ConnectionSettings.Parse(connectionString));
}
