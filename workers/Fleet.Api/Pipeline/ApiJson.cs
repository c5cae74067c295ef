using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fleet.Api.Pipeline;

/// <summary>The one JSON setting for bodies on both transports: camelCase, nulls omitted.</summary>
internal static class ApiJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Numbers arrive as numbers; "5" for an int is a client bug worth a 400, not a silent coercion.
        NumberHandling = JsonNumberHandling.Strict,
    };
}
