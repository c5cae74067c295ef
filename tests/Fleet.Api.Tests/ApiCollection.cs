using Fleet.TestUtilities;

namespace Fleet.Api.Tests;

/// <summary>
/// One MariaDB and one nats-server for every API test. Tests in a collection run one at a time, so a test may
/// kill and restart NATS as long as it leaves it running.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<MySqlFixture>, ICollectionFixture<NatsServerFixture>
{
    public const string Name = "api";
}
