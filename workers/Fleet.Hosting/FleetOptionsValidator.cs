using Microsoft.Extensions.Options;

namespace Fleet.Hosting;

/// <summary>Source-generated validation of <see cref="FleetOptions"/> (no reflection at start).</summary>
[OptionsValidator]
public sealed partial class FleetOptionsValidator : IValidateOptions<FleetOptions>
{
}
