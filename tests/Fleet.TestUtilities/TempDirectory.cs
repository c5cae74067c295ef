namespace Fleet.TestUtilities;

/// <summary>A directory under /tmp/fleet-tests that is deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    /// <summary>Every fixture's data lives here, so CI can remove what an aborted run left behind.</summary>
    public static readonly string Root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "fleet-tests");

    public TempDirectory(string prefix)
    {
        Path = System.IO.Path.Combine(Root, $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A server still flushing its files; .ci/run removes the root as well.
        }
    }
}
