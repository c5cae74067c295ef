using Dapper;
using Fleet.MySql;
using Fleet.TestUtilities;

namespace Fleet.Sync.IntegrationTests;

[Collection(SyncCollection.Name)]
public sealed class ReplicationTests(MySqlFixture mysql, NatsServerFixture nats)
{
    [Fact]
    public async Task PublicChangesReplicateBothWaysWhilePersonalDataStaysHome()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var usNats = new NatsServerFixture();
        await usNats.InitializeAsync();
        try
        {
            var euDb = await mysql.CreateDatabaseAsync("synceu");
            var usDb = await mysql.CreateDatabaseAsync("syncus");
            var euStream = Events.NewStreamName();
            var usStream = Events.NewStreamName();
            await using var euEvents = await Events.CreateAsync(nats.Url, euStream, cts.Token);
            await using var usEvents = await Events.CreateAsync(usNats.Url, usStream, cts.Token);
            await using var eu = await SyncWorker.StartAsync(euDb, nats.Url, euStream, "eu", new Dictionary<string, string?> { ["Sync:Peers"] = "us=" + usNats.Url });
            await using var us = await SyncWorker.StartAsync(usDb, usNats.Url, usStream, "us", new Dictionary<string, string?> { ["Sync:Peers"] = "eu=" + nats.Url });

            await euEvents.PublishAsync(Events.Account(1, 1, "eu-person", region: "eu"), cts.Token);
            await euEvents.PublishAsync(Events.Post(1, 1, "from eu", region: "eu"), cts.Token);
            await usEvents.PublishAsync(Events.Account(1, 1, "us-person", region: "us"), cts.Token);
            await usEvents.PublishAsync(Events.Post(1, 1, "from us", region: "us"), cts.Token);
            await euEvents.PublishAsync(Events.Post(1, 2, "edited in eu", region: "eu"), cts.Token);

            // Account 1 of each region sees its own region's profile and both regions' posts (the post's region is part of its key).
            bool Done(List<System.Text.Json.JsonElement> c) =>
                c.Count(x => x.GetProperty("entity").GetString() == "post") == 2
                && c.Any(x => x.GetProperty("region").GetString() == "eu" && x.GetProperty("version").GetInt32() == 2);
            var atUs = await us.WaitForChangesAsync(1, Done, cts.Token);
            var atEu = await eu.WaitForChangesAsync(1, Done, cts.Token);
            Assert.Equal("us-person", Assert.Single(atUs, c => c.GetProperty("entity").GetString() == "account").GetProperty("data").GetProperty("displayName").GetString());
            Assert.Equal("eu-person", Assert.Single(atEu, c => c.GetProperty("entity").GetString() == "account").GetProperty("data").GetProperty("displayName").GetString());
            Assert.Equal("from us", atEu.Single(c => c.GetProperty("region").GetString() == "us").GetProperty("data").GetProperty("body").GetString());
            Assert.Equal("edited in eu", atUs.Single(c => c.GetProperty("entity").GetString() == "post" && c.GetProperty("region").GetString() == "eu").GetProperty("data").GetProperty("body").GetString());

            // Nothing personal crossed in either direction: no foreign-region account rows exist at all.
            await using var usConnection = new MySqlConnection(usDb);
            await usConnection.OpenAsync(cts.Token);
            await using var euConnection = new MySqlConnection(euDb);
            await euConnection.OpenAsync(cts.Token);
            Assert.Equal(0, await usConnection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM changes WHERE entity = 'account' AND origin_region <> 'us'"));
            Assert.Equal(0, await euConnection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM changes WHERE entity = 'account' AND origin_region <> 'eu'"));

            // Checkpoints on both sides: the sender's shipped mark equals what the receiver committed.
            // (The receiver commits before it answers, so the sender's mark may trail by one round trip.)
            var head = await euConnection.ExecuteScalarAsync<long>("SELECT MAX(change_id) FROM changes WHERE origin_region = 'eu'");
            long shipped;
            while ((shipped = await euConnection.ExecuteScalarAsync<long>("SELECT value FROM sync_state WHERE name = 'ship:us'")) != head)
            {
                await Task.Delay(100, cts.Token);
            }

            var received = await usConnection.ExecuteScalarAsync<long>("SELECT value FROM sync_state WHERE name = 'recv:eu'");
            Assert.Equal(shipped, received);
        }
        finally
        {
            await usNats.DisposeAsync();
        }
    }
}
