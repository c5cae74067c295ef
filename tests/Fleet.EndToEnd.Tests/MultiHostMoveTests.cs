using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Fleet.EndToEnd.Tests;

/// <summary>
/// Issue 8's must-show, on the fleet placed across three simulated donors: moving every worker onto the dedicated
/// host and back, then evacuating one donor and spreading onto it again, each while the bench's mixed scenario and
/// chat senders run through HAProxy — zero failed requests, no acknowledged chat message lost or doubled, and a
/// repeated run changes nothing. The tests share the fleet and run in this order (the evacuation starts from the
/// spread the move back leaves, and its rebalance restores it).
/// </summary>
[Collection(SimFleetCollection.Name)]
[TestCaseOrderer(TestOrderer.TypeName, TestOrderer.AssemblyName)]
public sealed partial class MultiHostMoveTests(SimFleetFixture fleet, LoadRunnerBuild loadRunner, ITestOutputHelper output)
    : IClassFixture<LoadRunnerBuild>
{
    private const string Evacuated = "sim-donor-2";
    private const string EvacuatedPrefix = "fleet-sim-d2-";
    private static readonly string[] ApiOnDonors = ["fleet-sim-d1-api-1", "fleet-sim-d2-api-2", "fleet-sim-d3-api-3"];
    private static readonly string[] WorkersOnDedicated =
        ["fleet-sim-dd-api-1", "fleet-sim-dd-api-2", "fleet-sim-dd-api-3", "fleet-sim-dd-chat-1", "fleet-sim-dd-chat-2", "fleet-sim-dd-sync-1"];

    [Fact]
    [TestOrder(1)]
    public async Task MovesToTheDedicatedHostAndBackWithoutAFailedRequestOrALostChatMessage()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        Assert.Equal(ApiOnDonors, Api(await WorkerContainersAsync()));

        var there = await TrafficDuringChange.RunAsync(
            fleet.Ingress, loadRunner.Dll, () => SimFleetFixture.RunPlaybookAsync("move.yml", "-e", "fleet_move_to=dedicated"), cts.Token);

        output.WriteLine($"move to dedicated: {there.Describe()}");
        Assert.True(there.Recap.Changed > 0, "the move changed nothing");
        there.AssertNoClientNoticed();
        Assert.True(there.ToldToReconnect > 0, $"no chat session was told to reconnect, though every chat container moved: {there.Describe()}");
        Assert.Equal(WorkersOnDedicated, await WorkerContainersAsync());
        await AssertHaproxyListsExactlyAsync(WorkersOnDedicated);

        var again = await SimFleetFixture.RunPlaybookAsync("move.yml", "-e", "fleet_move_to=dedicated");
        Assert.True(again.Changed == 0, $"the second move run changed {again.Changed} things:\n{again.Output}");

        var back = await TrafficDuringChange.RunAsync(
            fleet.Ingress, loadRunner.Dll, () => SimFleetFixture.RunPlaybookAsync("move.yml", "-e", "fleet_move_to=donors"), cts.Token);

        output.WriteLine($"move back to donors: {back.Describe()}");
        back.AssertNoClientNoticed();
        var workers = await WorkerContainersAsync();
        Assert.Equal(ApiOnDonors, Api(workers));
        Assert.DoesNotContain(workers, name => name.StartsWith("fleet-sim-dd-", StringComparison.Ordinal));
        await AssertHaproxyListsExactlyAsync(workers);
    }

    [Fact]
    [TestOrder(2)]
    public async Task EvacuatesADonorAndSpreadsBackWithoutAFailedRequestOrALostChatMessage()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        var before = await WorkerContainersAsync();
        Assert.Contains(before, name => name.StartsWith(EvacuatedPrefix, StringComparison.Ordinal));

        var evacuation = await TrafficDuringChange.RunAsync(
            fleet.Ingress, loadRunner.Dll, () => SimFleetFixture.RunPlaybookAsync("evacuate.yml", "-e", $"fleet_evacuate={Evacuated}"), cts.Token);

        output.WriteLine($"evacuate {Evacuated}: {evacuation.Describe()}");
        Assert.True(evacuation.Recap.Changed > 0, "the evacuation changed nothing");
        evacuation.AssertNoClientNoticed();
        var evacuated = await WorkerContainersAsync();
        Assert.DoesNotContain(evacuated, name => name.StartsWith(EvacuatedPrefix, StringComparison.Ordinal));
        Assert.DoesNotContain(await AllContainersAsync(), name => name.StartsWith(EvacuatedPrefix, StringComparison.Ordinal));
        Assert.Equal(Instances(before), Instances(evacuated));
        Assert.DoesNotContain(evacuated, name => name.StartsWith("fleet-sim-dd-", StringComparison.Ordinal));
        await AssertHaproxyListsExactlyAsync(evacuated);

        var again = await SimFleetFixture.RunPlaybookAsync("evacuate.yml", "-e", $"fleet_evacuate={Evacuated}");
        Assert.True(again.Changed == 0, $"the second evacuation run changed {again.Changed} things:\n{again.Output}");

        // The donor is back (no longer excluded): the rebalance moves the extra replicas that share a host onto it.
        var rebalance = await TrafficDuringChange.RunAsync(
            fleet.Ingress, loadRunner.Dll, () => SimFleetFixture.RunPlaybookAsync("rebalance.yml"), cts.Token);

        output.WriteLine($"rebalance: {rebalance.Describe()}");
        rebalance.AssertNoClientNoticed();
        var spread = await WorkerContainersAsync();
        Assert.Equal(ApiOnDonors, Api(spread));
        Assert.Equal(Instances(before), Instances(spread));
        await AssertHaproxyListsExactlyAsync(spread);
        var settled = await SimFleetFixture.RunPlaybookAsync("rebalance.yml");
        Assert.True(settled.Changed == 0, $"the second rebalance run changed {settled.Changed} things:\n{settled.Output}");
    }

    /// <summary>The running HAProxy's servers and the persisted config's server lines both name exactly these containers.</summary>
    private static async Task AssertHaproxyListsExactlyAsync(IReadOnlyList<string> containers)
    {
        var state = await CommandRunner.RunCheckedAsync(
            "sh", ["-c", $"echo 'show servers state' | socat stdio unix-connect:{SimFleetFixture.AdminSocket}"], TimeSpan.FromSeconds(10));
        var running = state.Split('\n').Skip(2).Select(line => line.Split(' '))
            .Where(fields => fields.Length > 4 && fields[1].StartsWith("be_", StringComparison.Ordinal) && !fields[3].StartsWith("backup-", StringComparison.Ordinal))
            .Select(fields => fields[3])
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Equal(containers, running);

        var config = await File.ReadAllTextAsync(Path.Combine(SimFleetFixture.StateDirectory, "haproxy", "haproxy.cfg"));
        var persisted = ServerLine().Matches(config).Select(m => m.Groups["name"].Value)
            .Where(name => !name.StartsWith("backup-", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Equal(containers, persisted);
    }

    private static async Task<IReadOnlyList<string>> WorkerContainersAsync() =>
        (await SimFleetFixture.RunningContainersAsync()).Where(IsWorker).ToList();

    private static async Task<IReadOnlyList<string>> AllContainersAsync()
    {
        var output = await CommandRunner.RunCheckedAsync("lxc-ls", ["-1"], TimeSpan.FromSeconds(30));
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    private static bool IsWorker(string name) => WorkerName().IsMatch(name);

    private static List<string> Api(IEnumerable<string> workers) =>
        workers.Where(name => name.Contains("-api-", StringComparison.Ordinal)).ToList();

    /// <summary>The instances (kind-n) whatever host runs them: a move changes hosts, never the set.</summary>
    private static List<string> Instances(IEnumerable<string> workers) =>
        workers.Select(name => WorkerName().Match(name).Groups["instance"].Value).Order(StringComparer.Ordinal).ToList();

    [GeneratedRegex(@"^fleet-sim-(d1|d2|d3|dd)-(?<instance>(api|chat|sync)-\d+)$")]
    private static partial Regex WorkerName();

    [GeneratedRegex(@"^\s*server\s+(?<name>\S+)\s", RegexOptions.Multiline)]
    private static partial Regex ServerLine();
}
