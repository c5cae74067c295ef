using Fleet.TestUtilities;

namespace Fleet.Hosting.Tests;

/// <summary>
/// The process tests run one after another: each starts a real worker, and on two shared cores parallel
/// start-ups would only make every test slower. They share one real nats-server.
/// </summary>
[CollectionDefinition(Name)]
public sealed class WorkerProcessCollection : ICollectionFixture<NatsServerFixture>
{
    public const string Name = "worker processes";
}
