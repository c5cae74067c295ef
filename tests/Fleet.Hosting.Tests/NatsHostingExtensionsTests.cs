using Fleet.Nats;
using Microsoft.Extensions.Configuration;

namespace Fleet.Hosting.Tests;

public sealed class NatsHostingExtensionsTests
{
    [Fact]
    public void CommaSeparatedServersReplaceTheDefault()
    {
        var options = Bind(new() { ["Nats:Servers"] = "nats://a:4222, b:4222", ["Nats:Name"] = "api" });

        Assert.Equal(["nats://a:4222", "b:4222"], options.Servers);
        Assert.Equal("api", options.Name);
    }

    [Fact]
    public void ListedServersReplaceTheDefault()
    {
        var options = Bind(new() { ["Nats:Servers:0"] = "nats://a:4222", ["Nats:Servers:1"] = "nats://b:4222" });

        Assert.Equal(["nats://a:4222", "nats://b:4222"], options.Servers);
    }

    [Fact]
    public void NoServersKeepsTheDefault()
    {
        var options = Bind(new() { ["Nats:PingInterval"] = "00:00:10" });

        Assert.Equal(new NatsOptions().Servers, options.Servers);
        Assert.Equal(TimeSpan.FromSeconds(10), options.PingInterval);
    }

    [Fact]
    public void ClientIsNamedAfterKindAndInstanceUnlessConfigured()
    {
        Assert.Equal("api/fleet-eu-api-1", Bind(new() { ["Fleet:Kind"] = "api", ["Fleet:Instance"] = "fleet-eu-api-1" }).Name);
        Assert.Equal("custom", Bind(new() { ["Fleet:Kind"] = "api", ["Nats:Name"] = "custom" }).Name);
    }

    private static NatsOptions Bind(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var options = new NatsOptions();
        NatsHostingExtensions.BindNatsOptions(options, configuration);
        return options;
    }
}
