using Fleet.TestUtilities;

namespace Fleet.Nats.IntegrationTests;

/// <summary>One real nats-server shared by the core client tests; each test uses its own subjects.</summary>
[CollectionDefinition(Name)]
public sealed class NatsServerCollection : ICollectionFixture<NatsServerFixture>
{
    public const string Name = "nats-server";
}
