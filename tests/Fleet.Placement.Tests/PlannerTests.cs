using Fleet.Placement;
using static Fleet.Placement.Tests.Requests;

namespace Fleet.Placement.Tests;

public class PlannerTests
{
    [Fact]
    public async Task PlacesEveryReplicaWhenTheyFit()
    {
        var plan = await PlanAsync(Request([Donor("a"), Donor("b")], [Worker("api", 3), Worker("sync", 2)]));

        Assert.True(plan.Ok);
        Assert.Empty(plan.Unplaced);
        Assert.Equal(
            ["fleet-eu-api-1", "fleet-eu-api-2", "fleet-eu-api-3", "fleet-eu-sync-1", "fleet-eu-sync-2"],
            plan.Placements.Select(p => p.Instance));
        Assert.Equal(5, plan.ByHost["a"].Count + plan.ByHost["b"].Count);
    }

    [Fact]
    public async Task AllocatableSubtractsDonorUseReserveAndMargin()
    {
        var host = new HostFacts
        {
            Name = "a",
            Region = "eu",
            CpuCores = 8,
            MemoryMb = 16000,
            MemoryAvailableMb = 10000, // the donor uses 6000 MB
            Load1 = 3,
            ReserveCpu = 1,
            ReserveMemoryMb = 2000,
        };
        var request = new PlacementRequest { SafetyMargin = 0.1, Hosts = [host], Workers = [] };

        var allocation = Assert.Single((await PlanAsync(request)).Allocation);

        Assert.Equal(8 - 3 - 1 - 0.8, allocation.AllocatableCpu, 3);
        Assert.Equal(16000 - 6000 - 2000 - 1600, allocation.AllocatableMemoryMb);
    }

    [Fact]
    public async Task OwnContainersAreNotCountedAsDonorUse()
    {
        var host = Donor("a", cpu: 2, memoryMb: 1000);
        var busy = new HostFacts
        {
            Name = "a",
            Region = "eu",
            CpuCores = 2,
            MemoryMb = 1000,
            MemoryAvailableMb = 500, // all of the used 500 MB is our api-1 (fleet_memory_mb)
            Load1 = 1,
            FleetCpu = 1,
            FleetMemoryMb = 500,
        };
        var workers = new[] { Worker("api", 2, cpu: 1, memoryMb: 500) };
        var current = new Dictionary<string, string> { ["fleet-eu-api-1"] = "a" };

        var idlePlan = await PlanAsync(Request([host], workers));
        var busyPlan = await PlanAsync(Request([busy], workers, current));

        Assert.True(idlePlan.Ok);
        Assert.True(busyPlan.Ok);
        Assert.Equal(idlePlan.Allocation[0].AllocatableMemoryMb, busyPlan.Allocation[0].AllocatableMemoryMb);
    }

    [Fact]
    public async Task SpreadsReplicasOverHosts()
    {
        var plan = await PlanAsync(Request([Donor("a"), Donor("b"), Donor("c")], [Worker("api", 3)]));

        Assert.Equal(["a", "b", "c"], plan.Placements.Select(p => p.Host).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task NeverPutsTwoReplicasOnOneHostWhileAnotherFits()
    {
        // "big" has far more room, but "small" still fits one replica, so the second replica goes there.
        var plan = await PlanAsync(Request([Donor("big", cpu: 64, memoryMb: 65536), Donor("small", cpu: 1, memoryMb: 300)], [Worker("api", 2)]));

        Assert.Equal(["big", "small"], plan.Placements.Select(p => p.Host).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SharesAHostWhenNoOtherFits()
    {
        var plan = await PlanAsync(Request([Donor("big", cpu: 64, memoryMb: 65536), Donor("tiny", cpu: 1, memoryMb: 100)], [Worker("api", 3)]));

        Assert.True(plan.Ok);
        Assert.All(plan.Placements, p => Assert.Equal("big", p.Host));
    }

    [Fact]
    public async Task KeepsExistingPlacementsWhileTheyFit()
    {
        // A fresh plan would prefer the roomier "b"; the instance already runs on "a" and still fits there.
        var current = new Dictionary<string, string> { ["fleet-eu-api-1"] = "a" };

        var plan = await PlanAsync(Request([Donor("a", cpu: 1), Donor("b", cpu: 8)], [Worker("api", 1)], current));

        var placement = Assert.Single(plan.Placements);
        Assert.Equal("a", placement.Host);
        Assert.True(placement.Kept);
    }

    [Fact]
    public async Task RerunWithItsOwnPlanChangesNothing()
    {
        var hosts = new[] { Donor("a", cpu: 3), Donor("b", cpu: 2), Donor("c", cpu: 5, memoryMb: 2048) };
        var workers = new[] { Worker("api", 4), Worker("chat", 3, cpu: 0.25, memoryMb: 512), Worker("sync", 2, cpu: 1) };
        var first = await PlanAsync(Request(hosts, workers));

        var second = await PlanAsync(Request(hosts, workers, HostOf(first)));

        Assert.True(second.Ok);
        Assert.Equal(HostOf(first), HostOf(second));
        Assert.All(second.Placements, p => Assert.True(p.Kept));
    }

    [Fact]
    public async Task MovesAnInstanceWhoseHostNoLongerFitsIt()
    {
        // The donor on "a" grew: only 100 MB are available now, so api-1 cannot stay.
        var a = new HostFacts { Name = "a", Region = "eu", CpuCores = 4, MemoryMb = 4096, MemoryAvailableMb = 100 };
        var current = new Dictionary<string, string> { ["fleet-eu-api-1"] = "a", ["fleet-eu-api-2"] = "b" };

        var plan = await PlanAsync(Request([a, Donor("b"), Donor("c")], [Worker("api", 2)], current));

        Assert.Equal("c", HostOf(plan)["fleet-eu-api-1"]);
        Assert.Equal("b", HostOf(plan)["fleet-eu-api-2"]);
    }

    [Fact]
    public async Task SameInputGivesSamePlanWhateverTheOrder()
    {
        var hosts = Enumerable.Range(0, 12).Select(i => Donor($"h{i:00}", cpu: 1 + (i % 4), memoryMb: 1024 + (i % 3 * 512))).ToList();
        var workers = new[] { Worker("api", 7), Worker("chat", 5, cpu: 0.25, memoryMb: 384), Worker("sync", 4, cpu: 0.75) };

        var forward = await PlanAsync(Request(hosts, workers));
        var backward = await PlanAsync(Request(Enumerable.Reverse(hosts), workers.Reverse()));

        Assert.True(forward.Ok);
        Assert.Equal(forward.Placements, backward.Placements);
    }

    [Fact]
    public async Task FailureNamesEachInstanceAndTheBestHostsShortfall()
    {
        // a has 1 cpu / 1000 MB, b 2 cpu / 300 MB; each replica needs 1 cpu / 600 MB. After api-1 and one more,
        // nothing fits: b is closest for the rest (short of 300 MB, or 1 cpu plus 300 MB once it holds one).
        var plan = await PlanAsync(Request(
            [Donor("a", cpu: 1, memoryMb: 1000), Donor("b", cpu: 2, memoryMb: 300)],
            [Worker("api", 3, cpu: 1, memoryMb: 600)]));

        Assert.False(plan.Ok);
        Assert.Single(plan.Placements);
        Assert.Equal(["fleet-eu-api-2", "fleet-eu-api-3"], plan.Unplaced.Select(u => u.Instance));
        Assert.All(plan.Unplaced, u =>
        {
            Assert.Equal("b", u.BestHost);
            Assert.Equal(0, u.ShortCpu);
            Assert.Equal(300, u.ShortMemoryMb);
            Assert.Contains("best host b is short of 0 cpu and 300 MB memory", u.Describe(), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task DedicatedTargetPutsTheWholeRegionOnTheDedicatedHost()
    {
        var current = new Dictionary<string, string> { ["fleet-eu-api-1"] = "a", ["fleet-eu-api-2"] = "b" };

        var plan = await PlanAsync(Request([Donor("a"), Donor("b"), Dedicated("ded")], [Worker("api", 2)], current, PlacementTarget.Dedicated));

        Assert.True(plan.Ok);
        Assert.All(plan.Placements, p => Assert.Equal("ded", p.Host));
        Assert.All(plan.Placements, p => Assert.False(p.Kept));
    }

    [Fact]
    public async Task DonorTargetNeverUsesTheDedicatedHost()
    {
        var plan = await PlanAsync(Request([Donor("a", cpu: 1, memoryMb: 300), Dedicated("ded")], [Worker("api", 2)]));

        Assert.False(plan.Ok);
        Assert.Equal("a", Assert.Single(plan.Placements).Host);
    }

    [Fact]
    public async Task EvacuatedDonorKeepsNothingAndOthersKeepTheirs()
    {
        var current = new Dictionary<string, string>
        {
            ["fleet-eu-api-1"] = "a",
            ["fleet-eu-api-2"] = "b",
            ["fleet-eu-api-3"] = "c",
        };

        var plan = await PlanAsync(Request([Donor("a"), Donor("b"), Donor("c")], [Worker("api", 3)], current, exclude: ["b"]));

        Assert.Empty(plan.ByHost["b"]);
        Assert.Equal("a", HostOf(plan)["fleet-eu-api-1"]);
        Assert.Equal("c", HostOf(plan)["fleet-eu-api-3"]);
        Assert.NotEqual("b", HostOf(plan)["fleet-eu-api-2"]);
    }

    [Fact]
    public async Task RegionsKeepTheirInstancesToThemselves()
    {
        var plan = await PlanAsync(Request(
            [Donor("eu-a"), Donor("us-a", region: "us", cpu: 64, memoryMb: 65536)],
            [Worker("api", 2, region: "eu"), Worker("api", 1, region: "us")]));

        Assert.True(plan.Ok);
        Assert.Equal(["fleet-eu-api-1", "fleet-eu-api-2"], plan.ByHost["eu-a"]);
        Assert.Equal(["fleet-us-api-1"], plan.ByHost["us-a"]);
    }

    [Fact]
    public async Task RejectsAnExcludedHostThatIsNotInTheInventory()
    {
        var ex = await Assert.ThrowsAsync<PlacementInputException>(() => PlanAsync(Request([Donor("a")], [Worker("api", 1)], exclude: ["typo"])));

        Assert.Contains("typo", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RejectsAHostListedTwice()
    {
        await Assert.ThrowsAsync<PlacementInputException>(() => PlanAsync(Request([Donor("a"), Donor("a")], [Worker("api", 1)])));
    }
}
