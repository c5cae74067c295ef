namespace Fleet.Hosting.Tests;

public sealed class FleetCommandLineTests
{
    [Fact]
    public void ParsesEveryCommonFlag()
    {
        var result = FleetCommandLine.Parse<FleetCliOptions>(
        [
            "--region", "eu", "--instance", "fleet-eu-api-1", "--http", "http://0.0.0.0:8080",
            "--nats", "nats://10.0.3.2:4222,10.0.3.3:4222", "--mysql", "Server=db;User ID=api", "--log-dir", "/var/log/fleet",
        ]);

        var options = Assert.IsType<FleetCliOptions>(result.Options);
        Assert.Null(result.ExitCode);
        var values = new Dictionary<string, string?>();
        options.WriteConfiguration(values);
        Assert.Equal(
            new Dictionary<string, string?>
            {
                ["Fleet:Region"] = "eu",
                ["Fleet:Instance"] = "fleet-eu-api-1",
                ["urls"] = "http://0.0.0.0:8080",
                ["Nats:Servers"] = "nats://10.0.3.2:4222,10.0.3.3:4222",
                ["MySql:ConnectionString"] = "Server=db;User ID=api",
                ["Fleet:LogDirectory"] = "/var/log/fleet",
            },
            values);
    }

    [Fact]
    public void FlagsNotGivenWriteNothing()
    {
        var result = FleetCommandLine.Parse<FleetCliOptions>(["--region", "eu"]);

        var values = new Dictionary<string, string?>();
        result.Options!.WriteConfiguration(values);
        Assert.Equal(["Fleet:Region"], values.Keys);
    }

    [Fact]
    public void HelpExitsZeroWithUsage()
    {
        var result = FleetCommandLine.Parse<FleetCliOptions>(["--help"]);

        Assert.Null(result.Options);
        Assert.Equal(FleetExitCode.Success, result.ExitCode);
        Assert.False(result.IsError);
        Assert.Contains("--env-file", result.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--region")]
    [InlineData("--region", "--instance", "x")]
    [InlineData("--instance", "x", "--region")]
    [InlineData("--region", "")]
    public void FlagWithoutValueIsAUsageError(params string[] args)
    {
        var result = FleetCommandLine.Parse<FleetCliOptions>(args);

        Assert.Null(result.Options);
        Assert.Equal(FleetExitCode.Usage, result.ExitCode);
        Assert.True(result.IsError);
        Assert.Contains("region", result.Text, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', result.Text);
    }

    [Theory]
    [InlineData("--http", "ftp://host:21")]
    [InlineData("--http", "8080")]
    [InlineData("--nats", "nats://ok:4222,")]
    [InlineData("--bogus", "1")]
    [InlineData("stray")]
    public void MalformedOrUnknownArgumentsAreUsageErrors(params string[] args)
    {
        var result = FleetCommandLine.Parse<FleetCliOptions>(args);

        Assert.Equal(FleetExitCode.Usage, result.ExitCode);
        Assert.True(result.IsError);
        Assert.DoesNotContain('\n', result.Text);
    }

    [Fact]
    public void WorkerOptionsExtendTheCommonOnes()
    {
        var result = FleetCommandLine.Parse<ExampleCliOptions>(["--region", "eu", "--transport", "nats"]);

        var options = Assert.IsType<ExampleCliOptions>(result.Options);
        var values = new Dictionary<string, string?>();
        options.WriteConfiguration(values);
        Assert.Equal("eu", values["Fleet:Region"]);
        Assert.Equal("nats", values["Example:Transport"]);
    }

    public sealed class ExampleCliOptions : FleetCliOptions
    {
        [CommandLine.Option("transport")]
        public string? Transport { get; set; }

        public override void WriteConfiguration(IDictionary<string, string?> values)
        {
            base.WriteConfiguration(values);
            AddIfGiven(values, "Example:Transport", Transport);
        }
    }
}
