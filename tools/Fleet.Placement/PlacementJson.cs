using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fleet.Placement;

/// <summary>
/// The JSON both ways, in snake_case because the other side is Ansible/Jinja, where <c>plan.by_host[inventory_hostname]</c>
/// reads naturally and camelCase keys would be the odd ones out.
/// </summary>
internal static class PlacementJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        WriteIndented = true,
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,

        // A misspelt key ("replica") would otherwise silently plan with a default; Ansible's facts carry no extras.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,

        // Ansible's to_json writes numbers for numbers, but a hand-written inventory may quote them.
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    public static PlacementRequest ReadRequest(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<PlacementRequest>(json, Options)
                ?? throw new PlacementInputException("The input is JSON null, not a placement request.");
        }
        catch (JsonException ex)
        {
            throw new PlacementInputException($"The input is not a placement request: {ex.Message}", ex);
        }
    }

    public static string Write(PlacementPlan plan) => JsonSerializer.Serialize(plan, Options);
}
