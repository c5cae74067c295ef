using System.Security.Cryptography;
using System.Text;

namespace Fleet.Api.Accounts;

/// <summary>PBKDF2-HMAC-SHA256 password hashes from the BCL, with the iteration count stored per account.</summary>
internal static class PasswordHasher
{
    // OWASP's 2023 figure for PBKDF2-SHA256 is 600k iterations. One hash here costs ~0.35 µs per iteration on
    // the 2 shared cores this runs on, so 600k would be ~200 ms of CPU per log-in and a cheap way to starve the
    // API under a log-in flood. 150k (~50 ms) keeps guessing at millions of CPU-seconds per million guesses per
    // stolen hash while leaving the worker responsive; the count is stored per row so it can be raised later
    // and old hashes upgraded at their next log-in.
    public const int Iterations = 150_000;
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    public static (byte[] Hash, byte[] Salt, int Iterations) Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        return (Derive(password, salt, Iterations), salt, Iterations);
    }

    public static bool Verify(string password, byte[] hash, byte[] salt, int iterations) =>
        CryptographicOperations.FixedTimeEquals(Derive(password, salt, iterations), hash);

    private static byte[] Derive(string password, byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
}
