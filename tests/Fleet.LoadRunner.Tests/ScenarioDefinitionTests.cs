using Fleet.LoadRunner;

namespace Fleet.LoadRunner.Tests;

public class ScenarioDefinitionTests
{
    [Fact]
    public void EveryScenarioFileParses()
    {
        var directory = Path.Combine(RepositoryRoot(), "bench", "scenarios");
        var files = Directory.GetFiles(directory, "*.json");

        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var scenario = ScenarioDefinition.FromFile(file);
            Assert.Equal(Path.GetFileNameWithoutExtension(file), scenario.Name);
            scenario.Load.ToModel().Validate();
        }
    }

    [Fact]
    public void MixedScenarioHasEveryKindOfStep()
    {
        var mixed = ScenarioDefinition.FromFile(Path.Combine(RepositoryRoot(), "bench", "scenarios", "mixed.json"));

        Assert.Equal([StepKind.Http, StepKind.Chat, StepKind.SyncPush], mixed.Steps.Select(s => s.Kind).Distinct().Order());
    }

    [Fact]
    public void StepKindsAreWrittenInKebabCase()
    {
        var scenario = ScenarioDefinition.Parse("""
            {"name":"x","setup":{"users":1,"topics":1},"steps":[
              {"name":"a","path":"/a"},
              {"name":"b","kind":"chat","path":"/chat/v1/ws","rooms":2,"clientsPerRoom":3},
              {"name":"c","kind":"sync-push","path":"/sync/v1/mutations","batchSize":7}]}
            """);

        Assert.Equal([StepKind.Http, StepKind.Chat, StepKind.SyncPush], scenario.Steps.Select(s => s.Kind));
        Assert.Equal(7, scenario.Steps[2].BatchSize);
        Assert.Null(scenario.Validate());
    }

    [Theory]
    [InlineData("""{"name":"x","setup":{"users":1},"steps":[{"name":"b","kind":"chat","path":"/ws","clientsPerRoom":1}]}""")]
    [InlineData("""{"name":"x","steps":[{"name":"b","kind":"chat","path":"/ws"}]}""")]
    [InlineData("""{"name":"x","setup":{"users":1},"steps":[{"name":"c","kind":"sync-push","path":"/m"}]}""")]
    [InlineData("""{"name":"x","setup":{"users":1,"topics":1},"steps":[{"name":"c","kind":"sync-push","path":"/m","batchSize":51}]}""")]
    public void StepsThatCannotRunAreRejected(string json) => Assert.NotNull(ScenarioDefinition.Parse(json).Validate());

    [Fact]
    public void UnknownKeysAreRejected() =>
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => ScenarioDefinition.Parse("""{"name":"x","steps":[{"name":"a","path":"/","wieght":2}]}"""));

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Fleet.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Fleet.sln not found above " + AppContext.BaseDirectory);
    }
}
