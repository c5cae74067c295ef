using System.Globalization;

namespace Fleet.EndToEnd.Tests;

/// <summary>The README's first command on the end-to-end inventory: containers, limits, idempotence, self-healing, rollout.</summary>
[Collection(LocalFleetCollection.Name)]
public sealed class FleetBringUpTests(LocalFleetFixture fleet)
{
    private static readonly string[] ApiContainers = [$"{LocalFleetFixture.Prefix}api-1", $"{LocalFleetFixture.Prefix}api-2"];

    [Fact]
    public async Task SecondRunChangesNothing()
    {
        var recap = await LocalFleetFixture.RunSiteAsync();

        Assert.True(recap.Changed == 0, $"second run changed {recap.Changed} things:\n{recap.Output}");
    }

    [Fact]
    public async Task ContainersRunWithTheirLimits()
    {
        foreach (var container in ApiContainers)
        {
            var memory = await ReadCgroupAsync(container, "memory.limit_in_bytes");
            var pids = await ReadCgroupAsync(container, "pids.max");
            var quota = await ReadCgroupAsync(container, "cpu.cfs_quota_us");

            Assert.Equal(256L * 1024 * 1024, long.Parse(memory, CultureInfo.InvariantCulture));
            Assert.Equal("256", pids);
            Assert.Equal("50000", quota);
        }

        var nats = await ReadCgroupAsync($"{LocalFleetFixture.Prefix}nats-1", "memory.limit_in_bytes");
        Assert.Equal(512L * 1024 * 1024, long.Parse(nats, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task WorkersRunAsAnUnprivilegedUser()
    {
        foreach (var container in ApiContainers)
        {
            var worker = await WorkerPidAsync(container);
            var status = await File.ReadAllLinesAsync($"/proc/{worker}/status");

            Assert.Contains(status, line => line.StartsWith("Uid:", StringComparison.Ordinal) && line.Split('\t')[1] == "65534");
        }
    }

    [Fact]
    public async Task KilledWorkerIsRoutedAroundAndComesBack()
    {
        using var client = new HttpClient { BaseAddress = fleet.Ingress, Timeout = TimeSpan.FromSeconds(10) };
        var victim = ApiContainers[0];
        var before = await WorkerPidAsync(victim);

        await using var load = new LoadLoop(client, "/api/v1/forum/topics", concurrency: 4, maxDuration: TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(1));
        await CommandRunner.RunCheckedAsync("kill", ["-KILL", before.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(5));
        var after = await WaitForAsync(async () => await TryWorkerPidAsync(victim) is { } pid && pid != before ? pid : (int?)null, TimeSpan.FromSeconds(60));
        await WaitForAsync(async () => await ServerStatusAsync("be_api", victim) == "UP" ? true : (bool?)null, TimeSpan.FromSeconds(90));
        await Task.Delay(TimeSpan.FromSeconds(2));
        await load.StopAsync();

        Assert.NotEqual(before, after);
        Assert.True(load.Requests > 100, $"only {load.Requests} requests were made");
        Assert.True(load.Failures.Count == 0, $"{load.Failures.Count} of {load.Requests} requests failed: {string.Join(" | ", load.Failures.Take(5))}");
    }

    [Fact]
    public async Task NewBuildRollsThroughReplicasWithoutFailedRequests()
    {
        // A new build is a new directory that `current` points at, exactly as scripts/fleet publishes one.
        var appRoot = Path.Combine(LocalFleetFixture.StateDirectory, "app", "Fleet.Api");
        var current = new DirectoryInfo(Path.Combine(appRoot, "current")).ResolveLinkTarget(returnFinalTarget: true)!.FullName;
        var next = Path.Combine(appRoot, $"e2e-{Guid.NewGuid():N}"[..16]);
        await CommandRunner.RunCheckedAsync("cp", ["-a", current, next], TimeSpan.FromMinutes(1));
        await CommandRunner.RunCheckedAsync("ln", ["-sfn", next, Path.Combine(appRoot, "current")], TimeSpan.FromSeconds(5));
        var pidsBefore = await Task.WhenAll(ApiContainers.Select(WorkerPidAsync));

        using var client = new HttpClient { BaseAddress = fleet.Ingress, Timeout = TimeSpan.FromSeconds(10) };
        await using var load = new LoadLoop(client, "/api/v1/forum/topics", concurrency: 4, maxDuration: TimeSpan.FromMinutes(5));
        var recap = await LocalFleetFixture.RunSiteAsync();
        await load.StopAsync();
        var pidsAfter = await Task.WhenAll(ApiContainers.Select(WorkerPidAsync));

        Assert.True(recap.Changed > 0, "the new build did not change anything");
        Assert.All(pidsBefore.Zip(pidsAfter), pair => Assert.NotEqual(pair.First, pair.Second));
        Assert.True(load.Requests > 100, $"only {load.Requests} requests were made");
        Assert.True(load.Failures.Count == 0, $"{load.Failures.Count} of {load.Requests} requests failed: {string.Join(" | ", load.Failures.Take(5))}");
        Assert.Equal(0, (await LocalFleetFixture.RunSiteAsync()).Changed);
    }

    private static async Task<string> ReadCgroupAsync(string container, string key) =>
        (await CommandRunner.RunCheckedAsync("lxc-cgroup", ["-n", container, key], TimeSpan.FromSeconds(10))).Trim();

    /// <summary>The worker process: the child of the container's supervisor (its init).</summary>
    private static async Task<int> WorkerPidAsync(string container) =>
        await TryWorkerPidAsync(container) ?? throw new InvalidOperationException($"no worker process in {container}");

    private static async Task<int?> TryWorkerPidAsync(string container)
    {
        var init = (await CommandRunner.RunAsync("lxc-info", ["-n", container, "-p", "-H"], TimeSpan.FromSeconds(10))).Output.Trim();
        var children = await CommandRunner.RunAsync("pgrep", ["-P", init, "-x", "dotnet"], TimeSpan.FromSeconds(10));
        return children.ExitCode == 0 && int.TryParse(children.Output.Trim(), out var pid) ? pid : null;
    }

    private static async Task<string> ServerStatusAsync(string backend, string server)
    {
        var stat = await CommandRunner.RunCheckedAsync(
            "sh", ["-c", $"echo 'show stat {backend} 4 -1' | socat -t 5 stdio unix-connect:{LocalFleetFixture.AdminSocket}"], TimeSpan.FromSeconds(10));
        var row = stat.Split('\n').Select(line => line.Split(',')).FirstOrDefault(fields => fields.Length > 17 && fields[1] == server);
        return row?[17] ?? "absent";
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            if (await probe() is { } value && !EqualityComparer<T>.Default.Equals(value, default))
            {
                return value;
            }

            await Task.Delay(200, cts.Token);
        }
    }
}
