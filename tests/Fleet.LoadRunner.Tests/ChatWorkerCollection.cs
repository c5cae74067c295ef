using Fleet.TestUtilities;

namespace Fleet.LoadRunner.Tests;

/// <summary>One MariaDB and one nats-server for the tests that run the real chat worker.</summary>
[CollectionDefinition(Name)]
public sealed class ChatWorkerCollection : ICollectionFixture<MySqlFixture>, ICollectionFixture<NatsServerFixture>
{
    public const string Name = "chat-worker";
}
