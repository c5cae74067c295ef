using Fleet.TestUtilities;

namespace Fleet.Chat.Tests;

/// <summary>One MariaDB and one nats-server for every chat test; tests in the collection run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class ChatCollection : ICollectionFixture<MySqlFixture>, ICollectionFixture<NatsServerFixture>
{
    public const string Name = "chat";
}
