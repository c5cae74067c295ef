using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Fleet.EndToEnd.Tests;

/// <summary>
/// Issue 8's must-show, on the fleet placed across three simulated donors: evacuating one donor, then moving every
/// worker onto the dedicated host and back onto the donors (the evacuated one included), each while the bench's mixed
/// scenario and chat senders run through HAProxy — zero failed HTTP requests, no acknowledged chat message lost or
/// doubled, and a repeated run changes nothing. The tests share the fleet and run in this order, so the fleet ends
/// placed as it started.
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
    public async Task EvacuatesADonorWithoutAFailedRequestOrALostChatMessage()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(20));
        var before = await WorkerContainersAsync();
        Assert.Contains(before, name => name.StartsWith(EvacuatedPrefix, StringComparison.Ordinal));

        var evacuation = await TrafficDuringChange.RunAsync(
            fleet.Ingress, loadRunner.Dll, () => SimFleetFixture.RunPlaybookAsync("evacuate.yml", "-e", $"fleet_evacuate={Evacuated}"), cts.Token);

        output.WriteLine($"evacuate {Evacuated}: {evacuation.Describe()}");
        Assert.True(evacuation.Recap.Changed > 0, "the evacuation changed nothing");
        evacuation.AssertNoClientNoticed();
        var evacuated = await WorkerContainersAsync();
        Assert.DoesNotContain(await AllContainersAsync(), name => name.StartsWith(EvacuatedPrefix, StringComparison.Ordinal));
        Assert.DoesNotContain(evacuated, name => name.StartsWith("fleet-sim-dd-", StringComparison.Ordinal));
        Assert.Equal(Instances(before), Instances(evacuated));
        await AssertHaproxyListsExactlyAsync(evacuated);

        var again = await SimFleetFixture.RunPlaybookAsync("evacuate.yml", "-e", $"fleet_evacuate={Evacuated}");
        Assert.True(again.Changed == 0, $"the second evacuation run changed {again.Changed} things:\n{again.Output}");
    }

    /// <summary>
    /// Runs after the evacuation: the evacuated donor is no longer excluded, so the move back spreads onto it again
    /// (which restores the fleet's first placement; playbooks/rebalance.yml does the same without the round trip).
    /// </summary>
    [Fact]
    [TestOrder(2)]
    public async Task MovesToTheDedicatedHostAndBackWithoutAFailedRequestOrALostChatMessage()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(25));
        Assert.DoesNotContain(await WorkerContainersAsync(), name => name.StartsWith("fleet-sim-dd-", StringComparison.Ordinal));

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

    /// <summary>The running HAProxy's servers and the persisted config's server lines both name exactly these containers.</summary>
    private static async Task AssertHaproxyListsExactlyAsync(IReadOnlyList<string> containers)
    {
        var state = await CommandRunner.RunCheckedAsync(
            "sh", ["-c", $"echo 'show servers state' | socat -t 5 stdio unix-connect:{SimFleetFixture.AdminSocket}"], TimeSpan.FromSeconds(10));
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
