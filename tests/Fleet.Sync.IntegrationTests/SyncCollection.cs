using Fleet.TestUtilities;

namespace Fleet.Sync.IntegrationTests;

/// <summary>One MariaDB and one nats-server for every sync test; tests in the collection run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class SyncCollection : ICollectionFixture<MySqlFixture>, ICollectionFixture<NatsServerFixture>
{
    public const string Name = "sync";
}
