namespace Fleet.EndToEnd.Tests;

/// <summary>The bench's load runner built once per test class into a private folder, removed afterwards.</summary>
public sealed class LoadRunnerBuild : IAsyncLifetime
{
    private readonly string _artifacts = Path.Combine(Path.GetTempPath(), $"fleet-e2e-loadrunner-{Environment.ProcessId}");

    public string Dll { get; private set; } = "";

    public async Task InitializeAsync() => Dll = await LoadRunnerProcess.BuildAsync(_artifacts);

    public Task DisposeAsync()
    {
        if (Directory.Exists(_artifacts))
        {
            Directory.Delete(_artifacts, recursive: true);
        }

        return Task.CompletedTask;
    }
}
