using System.Globalization;
using System.Text.RegularExpressions;

namespace Fleet.EndToEnd.Tests;

/// <summary>
/// The simulated multi-host fleet (ansible/inventories/sim: three donors and one dedicated server on this machine,
/// each with its own bridge, subnet and container prefix) brought up with the README's command, and taken down at
/// the end, failing the run if anything it created is left behind.
/// </summary>
public sealed partial class SimFleetFixture : IAsyncLifetime
{
    public const string Inventory = "ansible/inventories/sim";
    public const string Prefix = "fleet-sim-";
    public const string StateDirectory = "/var/lib/fleet/sim";
    public const string RouterNamespace = "fleetsimwan";
    public static readonly string[] Bridges = ["flsim1", "flsim2", "flsim3", "flsimd"];

    public Uri Ingress { get; } = new("http://127.0.0.1:18280");

    public static string AdminSocket => Path.Combine(StateDirectory, "haproxy", "admin.sock");

    public async Task InitializeAsync()
    {
        // A run killed before its teardown must not make this one fail on leftovers.
        await CommandRunner.RunAsync("scripts/fleet", ["down", "--inventory", Inventory], TimeSpan.FromMinutes(3));
        await CommandRunner.RunCheckedAsync("scripts/fleet", ["up", "--inventory", Inventory], TimeSpan.FromMinutes(15));
    }

    /// <summary>Runs a playbook of ansible/playbooks against the sim inventory and sums the recap's changed counts.</summary>
    public static async Task<PlayRecap> RunPlaybookAsync(string playbook, params string[] extraArguments)
    {
        var output = await CommandRunner.RunCheckedAsync(
            "ansible-playbook",
            ["-i", $"../{Inventory}/hosts.yml", $"playbooks/{playbook}", .. extraArguments],
            TimeSpan.FromMinutes(10),
            workingDirectory: Path.Combine(CommandRunner.RepositoryRoot, "ansible"));
        var matches = RecapPattern().Matches(output);
        Assert.True(matches.Count > 0, $"no play recap in:\n{output}");
        return new PlayRecap(matches.Sum(m => int.Parse(m.Groups["changed"].Value, CultureInfo.InvariantCulture)), output);
    }

    /// <summary>The fleet's running containers, by name.</summary>
    public static async Task<IReadOnlyList<string>> RunningContainersAsync()
    {
        var output = await CommandRunner.RunCheckedAsync("lxc-ls", ["-1", "--running"], TimeSpan.FromSeconds(30));
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(name => name.StartsWith(Prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    public async Task DisposeAsync()
    {
        await CommandRunner.RunCheckedAsync("scripts/fleet", ["down", "--inventory", Inventory], TimeSpan.FromMinutes(3));
        var problems = new List<string>();
        var containers = await CommandRunner.RunCheckedAsync("lxc-ls", ["-1"], TimeSpan.FromSeconds(30));
        problems.AddRange(containers.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(name => name.StartsWith(Prefix, StringComparison.Ordinal))
            .Select(name => $"container left: {name}"));
        foreach (var bridge in Bridges)
        {
            if ((await CommandRunner.RunAsync("ip", ["link", "show", "dev", bridge], TimeSpan.FromSeconds(10))).ExitCode == 0)
            {
                problems.Add($"bridge {bridge} left");
            }
        }

        var namespaces = await CommandRunner.RunAsync("ip", ["netns", "list"], TimeSpan.FromSeconds(10));
        if (namespaces.Output.Split('\n').Any(line => line.StartsWith(RouterNamespace, StringComparison.Ordinal)))
        {
            problems.Add($"network namespace {RouterNamespace} left");
        }

        if (Directory.Exists(StateDirectory))
        {
            problems.Add($"state directory {StateDirectory} left");
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException("scripts/fleet down left things behind: " + string.Join("; ", problems));
        }
    }

    [GeneratedRegex(@"^\S+\s+:\s+ok=\d+\s+changed=(?<changed>\d+)", RegexOptions.Multiline)]
    private static partial Regex RecapPattern();
}

[CollectionDefinition(Name)]
public sealed class SimFleetCollection : ICollectionFixture<SimFleetFixture>
{
    public const string Name = "simulated multi-host fleet";
}
