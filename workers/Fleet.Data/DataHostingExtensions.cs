using System.Data.Common;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fleet.Data;

/// <summary>Registers a worker's database: options, connection factory, Dapper conventions, migrations, ready check.</summary>
public static class DataHostingExtensions
{
    /// <summary>The health-check tag that <c>/readyz</c> runs.</summary>
    public const string ReadyTag = "ready";

    /// <summary>
    /// Registers <see cref="DbConnectionFactory"/> over <paramref name="provider"/> with the connection string from
    /// <c>MySql:ConnectionString</c>, a <see cref="MigrationService"/> for the migrations embedded in
    /// <paramref name="migrationsAssembly"/>, and the <c>mysql</c> health check tagged <see cref="ReadyTag"/>.
    /// </summary>
    /// <param name="builder">The worker's host builder.</param>
    /// <param name="provider">The ADO.NET provider (Fleet.MySql's factory).</param>
    /// <param name="migrationsAssembly">The assembly whose <c>V&lt;n&gt;__&lt;name&gt;.sql</c> resources are the migrations.</param>
    /// <returns>The builder.</returns>
    public static IHostApplicationBuilder AddFleetData(this IHostApplicationBuilder builder, DbProviderFactory provider, Assembly migrationsAssembly)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(migrationsAssembly);
        DapperConventions.Apply();
        builder.Services.AddOptions<DataOptions>()
            .BindConfiguration(DataOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(sp => new DbConnectionFactory(provider, sp.GetRequiredService<IOptions<DataOptions>>().Value.ConnectionString));
        builder.Services.AddSingleton<MigrationState>();
        builder.Services.AddSingleton(sp => new MigrationRunner(
            sp.GetRequiredService<DbConnectionFactory>(),
            sp.GetRequiredService<ILogger<MigrationRunner>>(),
            sp.GetRequiredService<IOptions<DataOptions>>().Value.MigrationLockTimeout));
        var migrations = Migration.FromEmbeddedResources(migrationsAssembly);
        builder.Services.AddHostedService(sp => new MigrationService(
            sp.GetRequiredService<MigrationRunner>(),
            migrations,
            sp.GetRequiredService<MigrationState>(),
            sp.GetRequiredService<ILogger<MigrationService>>()));
        builder.Services.AddHealthChecks().AddCheck<MySqlReadyCheck>("mysql", tags: [ReadyTag]);
        return builder;
    }
}
