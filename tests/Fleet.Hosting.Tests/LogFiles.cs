using System.Text.Json;

namespace Fleet.Hosting.Tests;

/// <summary>Reads the worker's JSON-lines log files.</summary>
internal static class LogFiles
{
    public static List<JsonElement> ReadAll(string directory)
    {
        var events = new List<JsonElement>();
        foreach (var file in Directory.GetFiles(directory, "*.jsonl"))
        {
            foreach (var line in File.ReadAllLines(file))
            {
                if (line.Length > 0)
                {
                    using var document = JsonDocument.Parse(line);
                    events.Add(document.RootElement.Clone());
                }
            }
        }

        return events;
    }

    public static string? Property(JsonElement logEvent, string name) =>
        logEvent.TryGetProperty("Properties", out var properties) && properties.TryGetProperty(name, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.ToString()
            : null;
}
