namespace Fleet.EndToEnd.Tests;

/// <summary>
/// Issue 8's must-show: the fleet placed across three simulated donors, moved onto the dedicated host and back
/// while a closed loop of API reads runs through HAProxy, with zero failed requests; a repeated move changes nothing.
/// </summary>
[Collection(SimFleetCollection.Name)]
public sealed class MultiHostMoveTests(SimFleetFixture fleet)
{
    private static readonly string[] OnDonors = ["fleet-sim-d1-api-1", "fleet-sim-d2-api-2", "fleet-sim-d3-api-3"];
    private static readonly string[] OnDedicated = ["fleet-sim-dd-api-1", "fleet-sim-dd-api-2", "fleet-sim-dd-api-3"];

    [Fact]
    public async Task MovesToTheDedicatedHostAndBackWithoutAFailedRequest()
    {
        Assert.Equal(OnDonors, await ApiContainersAsync());

        using var client = new HttpClient { BaseAddress = fleet.Ingress, Timeout = TimeSpan.FromSeconds(10) };
        await using (var load = new LoadLoop(client, "/api/v1/forum/topics", concurrency: 4, maxDuration: TimeSpan.FromMinutes(10)))
        {
            var move = await SimFleetFixture.RunPlaybookAsync("move.yml", "-e", "fleet_move_to=dedicated");
            await load.StopAsync();

            Assert.True(move.Changed > 0, "the move changed nothing");
            Assert.True(load.Requests > 100, $"only {load.Requests} requests ran during the move");
            Assert.True(load.Failures.Count == 0, $"{load.Failures.Count} of {load.Requests} requests failed: {string.Join(" | ", load.Failures.Take(5))}");
        }

        Assert.Equal(OnDedicated, await ApiContainersAsync());
        var again = await SimFleetFixture.RunPlaybookAsync("move.yml", "-e", "fleet_move_to=dedicated");
        Assert.True(again.Changed == 0, $"the second move run changed {again.Changed} things:\n{again.Output}");

        await using (var load = new LoadLoop(client, "/api/v1/forum/topics", concurrency: 4, maxDuration: TimeSpan.FromMinutes(10)))
        {
            await SimFleetFixture.RunPlaybookAsync("move.yml", "-e", "fleet_move_to=donors");
            await load.StopAsync();

            Assert.True(load.Failures.Count == 0, $"{load.Failures.Count} of {load.Requests} requests failed: {string.Join(" | ", load.Failures.Take(5))}");
        }

        Assert.Equal(OnDonors, await ApiContainersAsync());
    }

    private static async Task<IReadOnlyList<string>> ApiContainersAsync() =>
        (await SimFleetFixture.RunningContainersAsync()).Where(name => name.Contains("-api-", StringComparison.Ordinal)).ToList();
}
