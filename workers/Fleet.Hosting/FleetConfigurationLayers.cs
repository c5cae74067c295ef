using System.Collections;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Configuration.Memory;

namespace Fleet.Hosting;

/// <summary>
/// Adds Fleet's configuration layers to a host's configuration. Later sources win, so the result reads,
/// lowest first: appsettings.json, <c>--config</c>, <c>.env</c>, (the host's own unprefixed environment),
/// <c>FLEET_…</c> variables, flags, and the kind given in code.
/// </summary>
internal static class FleetConfigurationLayers
{
    public static void Add(IConfigurationBuilder configuration, FleetCliOptions options, string kind, IDictionary environment)
    {
        var fileLayers = new List<IConfigurationSource>();
        if (options.Config is not null)
        {
            var json = new JsonConfigurationSource { Path = Path.GetFullPath(options.Config), Optional = false };
            json.ResolveFileProvider();
            fileLayers.Add(json);
        }

        var envFile = DotEnvFile.ResolvePath(options.EnvFile);
        if (envFile is not null)
        {
            IReadOnlyList<KeyValuePair<string, string>> entries;
            try
            {
                entries = DotEnvFile.Read(envFile);
            }
            catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
            {
                throw new FleetConfigurationException(ex.Message, ex);
            }

            var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (var (key, value) in entries)
            {
                values[FleetEnvironmentKeys.MapDotEnv(key)] = value;
            }

            fileLayers.Add(new MemoryConfigurationSource { InitialData = values });
        }

        // Files go below the host's own environment-variable source (if any), so that any environment
        // variable, prefixed or not, still beats a file.
        var position = IndexOfUnprefixedEnvironment(configuration.Sources);
        foreach (var layer in fileLayers)
        {
            configuration.Sources.Insert(position++, layer);
        }

        var fleetEnvironment = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry variable in environment)
        {
            if (variable.Key is string name && FleetEnvironmentKeys.Map(name) is { } key)
            {
                fleetEnvironment[key] = variable.Value as string;
            }
        }

        configuration.Sources.Add(new MemoryConfigurationSource { InitialData = fleetEnvironment });

        var flags = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        options.WriteConfiguration(flags);
        configuration.Sources.Add(new MemoryConfigurationSource { InitialData = flags });

        configuration.Sources.Add(new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?> { [FleetConfigurationKeys.Kind] = kind },
        });
    }

    private static int IndexOfUnprefixedEnvironment(IList<IConfigurationSource> sources)
    {
        for (var i = 0; i < sources.Count; i++)
        {
            if (sources[i] is EnvironmentVariablesConfigurationSource { Prefix: null or "" })
            {
                return i;
            }
        }

        return sources.Count;
    }
}
