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
