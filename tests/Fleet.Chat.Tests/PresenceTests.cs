using System.Text.Json;
using Fleet.Nats;
using Fleet.TestUtilities;

namespace Fleet.Chat.Tests;

[Collection(ChatCollection.Name)]
public sealed class PresenceTests(MySqlFixture mysql, NatsServerFixture nats)
{
    [Fact]
    public async Task MembersOnOtherInstancesAppearAndLeave()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var db = await mysql.CreateDatabaseAsync("chat");
        await using var first = await ChatWorker.StartAsync(db, nats);
        await using var second = await ChatWorker.StartAsync(db, nats);
        await using var alice = await ChatClient.ConnectAsync(first.WebSocketUri, "1", cts.Token);
        await alice.JoinAsync("presence", cts.Token);
        var own = await alice.WaitForAsync("presence", cts.Token);
        Assert.Equal(["1"], Members(own, "members"));

        await using (var bob = await ChatClient.ConnectAsync(second.WebSocketUri, "2", cts.Token))
        {
            await bob.JoinAsync("presence", cts.Token);
            var seen = await alice.WaitForAsync("presence", cts.Token, f => Members(f, "joined").Contains("2"));
            Assert.Equal(["1", "2"], Members(seen, "members"));

            // Bob learns about Alice from her instance's answer to his instance's hello.
            await bob.WaitForAsync("presence", cts.Token, f => Members(f, "members").SequenceEqual(["1", "2"]));
        }

        var left = await alice.WaitForAsync("presence", cts.Token, f => Members(f, "left").Contains("2"));
        Assert.Equal(["1"], Members(left, "members"));
    }

    [Fact]
    public async Task MembersOfASilentInstanceVanishAfterMissedHeartbeats()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var db = await mysql.CreateDatabaseAsync("chat");
        await using var first = await ChatWorker.StartAsync(db, nats);
        await using var second = await ChatWorker.StartAsync(db, nats);
        await using var alice = await ChatClient.ConnectAsync(first.WebSocketUri, "1", cts.Token);
        await using var bob = await ChatClient.ConnectAsync(second.WebSocketUri, "2", cts.Token);
        await alice.JoinAsync("ghost", cts.Token);
        await alice.WaitForAsync("history", cts.Token);
        await bob.JoinAsync("ghost", cts.Token);
        await alice.WaitForAsync("presence", cts.Token, f => Members(f, "members").Contains("2"));

        // The second instance drops off NATS without a goodbye, as a crashed or partitioned instance does; Bob's
        // socket stays open, so only the missing heartbeats can tell the first instance.
        var secondNats = (NatsConnection)second.App.Services.GetService(typeof(NatsConnection))!;
        await secondNats.DisposeAsync();
        var gone = await alice.WaitForAsync("presence", cts.Token, f => Members(f, "left").Contains("2"));
        Assert.Equal(["1"], Members(gone, "members"));
    }

    private static List<string> Members(JsonElement frame, string name) =>
        frame.GetProperty(name).EnumerateArray().Select(e => e.GetString()!).ToList();
}
