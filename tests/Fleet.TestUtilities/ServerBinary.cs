namespace Fleet.TestUtilities;

/// <summary>Finds a server binary from a Debian package, or fails with a message naming the package.</summary>
public static class ServerBinary
{
    private static readonly string[] SearchDirectories = ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", "/sbin", "/bin"];

    public static string Require(string name, string debianPackage)
    {
        var fromPath = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(SearchDirectories)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
        return fromPath ?? throw new InvalidOperationException(
            $"'{name}' was not found. Install the Debian package '{debianPackage}' " +
            $"(apt-get install -y {debianPackage}), or run scripts/test.sh, which installs every test dependency.");
    }
}
