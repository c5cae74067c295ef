using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Fleet.Hosting;

/// <summary>Puts <see cref="RequestIdMiddleware"/> first in every web worker's pipeline without the worker asking.</summary>
internal sealed class RequestIdStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseMiddleware<RequestIdMiddleware>();
        next(app);
    };
}
