using System.Text.Json;

namespace Fleet.Sync;

/// <summary>The JSON settings of every sync answer and request: web defaults (camelCase), like the API.</summary>
internal static class SyncJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
