using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Fleet.EndToEnd.Tests;

/// <summary>
/// Brings the end-to-end inventory's fleet up with the README's own command (scripts/fleet up) and takes it
/// down at the end, failing the run if anything it created is left behind.
/// </summary>
public sealed partial class LocalFleetFixture : IAsyncLifetime
{
    public const string Inventory = "ansible/inventories/test";
    public const string Prefix = "fleet-e2e-";
    public const string Bridge = "fleete2e0";
    public const string StateDirectory = "/var/lib/fleet/e2e";

    public Uri Ingress { get; } = new("http://127.0.0.1:18080");

    public static string AdminSocket => Path.Combine(StateDirectory, "haproxy", "admin.sock");

    /// <summary>Seconds from the command's start until the fleet served, as the README's command measures it.</summary>
    public double UpSeconds { get; private set; }

    public string UpOutput { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        // A previous run that was killed before its teardown must not make this one fail on leftovers.
        await CommandRunner.RunAsync("scripts/fleet", ["down", "--inventory", Inventory], TimeSpan.FromMinutes(3));
        var stopwatch = Stopwatch.StartNew();
        UpOutput = await CommandRunner.RunCheckedAsync("scripts/fleet", ["up", "--inventory", Inventory], TimeSpan.FromMinutes(12));
        UpSeconds = stopwatch.Elapsed.TotalSeconds;
    }

    /// <summary>Runs the site playbook again with optional extra variables and returns its recap counts.</summary>
    public static async Task<PlayRecap> RunSiteAsync(params string[] extraArguments)
    {
        var output = await CommandRunner.RunCheckedAsync(
            "ansible-playbook",
            ["-i", $"../{Inventory}/hosts.yml", "playbooks/site.yml", .. extraArguments],
            TimeSpan.FromMinutes(10),
            workingDirectory: Path.Combine(CommandRunner.RepositoryRoot, "ansible"));
        var match = RecapPattern().Match(output);
        Assert.True(match.Success, $"no play recap in:\n{output}");
        return new PlayRecap(int.Parse(match.Groups["changed"].Value, System.Globalization.CultureInfo.InvariantCulture), output);
    }

    public async Task DisposeAsync()
    {
        await CommandRunner.RunCheckedAsync("scripts/fleet", ["down", "--inventory", Inventory], TimeSpan.FromMinutes(3));
        var containers = await CommandRunner.RunCheckedAsync("lxc-ls", ["-1"], TimeSpan.FromSeconds(30));
        var left = containers.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(name => name.StartsWith(Prefix, StringComparison.Ordinal)).ToList();
        var bridge = await CommandRunner.RunAsync("ip", ["link", "show", "dev", Bridge], TimeSpan.FromSeconds(10));
        var problems = new List<string>();
        if (left.Count > 0)
        {
            problems.Add($"containers left: {string.Join(", ", left)}");
        }

        if (bridge.ExitCode == 0)
        {
            problems.Add($"bridge {Bridge} left");
        }

        if (Directory.Exists(StateDirectory))
        {
            problems.Add($"state directory {StateDirectory} left");
        }

        foreach (var controller in new[] { "memory", "pids", "cpu" })
        {
            var root = Path.Combine("/sys/fs/cgroup", controller);
            if (Directory.Exists(root))
            {
                problems.AddRange(Directory.GetDirectories(root, $"lxc.*{Prefix}*").Select(path => $"cgroup left: {path}"));
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException("fleet down left things behind: " + string.Join("; ", problems));
        }
    }

    [GeneratedRegex(@"localhost\s*:\s*ok=\d+\s+changed=(?<changed>\d+)\s+unreachable=0\s+failed=0")]
    private static partial Regex RecapPattern();
}

public sealed record PlayRecap(int Changed, string Output);

[CollectionDefinition(Name)]
public sealed class LocalFleetCollection : ICollectionFixture<LocalFleetFixture>
{
    public const string Name = "local fleet";
}
