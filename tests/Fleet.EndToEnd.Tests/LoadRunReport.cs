namespace Fleet.EndToEnd.Tests;

/// <summary>A load runner report: requests and errors per step, which steps are chat, and the report's Markdown.</summary>
internal sealed record LoadRunReport(
    IReadOnlyDictionary<string, (long Requests, long Errors)> Steps, IReadOnlySet<string> ChatSteps, string Markdown)
{
    public long HttpRequests => Steps.Where(s => !ChatSteps.Contains(s.Key)).Sum(s => s.Value.Requests);

    public long HttpErrors => Steps.Where(s => !ChatSteps.Contains(s.Key)).Sum(s => s.Value.Errors);

    public string Describe() => string.Join(", ", Steps.Select(s => $"{s.Key} {s.Value.Requests}/{s.Value.Errors} err"));
}
