using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Fleet.Hosting.Security;

/// <summary>Registers bearer-token verification for a worker that accepts the API's tokens.</summary>
public static class BearerTokenHostingExtensions
{
    /// <summary>
    /// Binds <see cref="BearerTokenOptions"/> from the <c>Api</c> section (validated at start, so a worker without
    /// the key fails fast) and registers <see cref="BearerTokenVerifier"/> and, unless one is registered,
    /// <see cref="TimeProvider.System"/>.
    /// </summary>
    /// <param name="builder">The host builder.</param>
    /// <returns>The same builder.</returns>
    public static IHostApplicationBuilder AddFleetBearerTokens(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<BearerTokenOptions>()
            .BindConfiguration(BearerTokenOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<BearerTokenVerifier>();
        return builder;
    }
}
