using System.Security.Cryptography;
using System.Text;

namespace Fleet.MySql.Internal;

/// <summary>The password proofs of the authentication plugins, from the protocol documentation's formulas.</summary>
internal static class AuthScramble
{
    public const string NativePassword = "mysql_native_password";
    public const string CachingSha2Password = "caching_sha2_password";
    public const string ClearPassword = "mysql_clear_password";
    public const string Ed25519Password = "client_ed25519";

    /// <summary>mysql_native_password: SHA1(password) XOR SHA1(scramble + SHA1(SHA1(password))); empty for no password.</summary>
    public static byte[] Native(string password, ReadOnlySpan<byte> scramble)
    {
        if (password.Length == 0)
        {
            return [];
        }

#pragma warning disable CA5350 // SHA1 is what the mysql_native_password protocol mandates; there is no choice here.
        var passwordHash = SHA1.HashData(Encoding.UTF8.GetBytes(password));
        var doubleHash = SHA1.HashData(passwordHash);
        var input = new byte[scramble.Length + doubleHash.Length];
        scramble.CopyTo(input);
        doubleHash.CopyTo(input, scramble.Length);
        var mask = SHA1.HashData(input);
#pragma warning restore CA5350
        for (var i = 0; i < passwordHash.Length; i++)
        {
            passwordHash[i] ^= mask[i];
        }

        return passwordHash;
    }

    /// <summary>caching_sha2_password: XOR(SHA256(password), SHA256(SHA256(SHA256(password)) + scramble)).</summary>
    public static byte[] CachingSha2(string password, ReadOnlySpan<byte> scramble)
    {
        if (password.Length == 0)
        {
            return [];
        }

        var passwordHash = SHA256.HashData(Encoding.UTF8.GetBytes(password));
        var doubleHash = SHA256.HashData(passwordHash);
        var input = new byte[doubleHash.Length + scramble.Length];
        doubleHash.CopyTo(input, 0);
        scramble.CopyTo(input.AsSpan(doubleHash.Length));
        var mask = SHA256.HashData(input);
        for (var i = 0; i < passwordHash.Length; i++)
        {
            passwordHash[i] ^= mask[i];
        }

        return passwordHash;
    }

    /// <summary>MariaDB client_ed25519: an Ed25519 signature of the server's 32-byte nonce, keyed by the password.</summary>
    public static byte[] Ed25519Signature(string password, ReadOnlySpan<byte> nonce) =>
        Ed25519.Sign(nonce, Encoding.UTF8.GetBytes(password));

    /// <summary>The password, NUL-terminated, as sent in clear over TLS (caching_sha2 full authentication).</summary>
    public static byte[] NullTerminatedPassword(string password)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(password) + 1];
        Encoding.UTF8.GetBytes(password, bytes);
        return bytes;
    }

    /// <summary>
    /// caching_sha2 full authentication without TLS: (password + NUL) XOR scramble (repeated), encrypted with the
    /// server's RSA public key using OAEP padding (RSA_PKCS1_OAEP_PADDING, SHA-1), as servers since 8.0.5 expect.
    /// </summary>
    public static byte[] RsaEncryptPassword(string password, ReadOnlySpan<byte> scramble, string publicKeyPem)
    {
        var plain = NullTerminatedPassword(password);
        for (var i = 0; i < plain.Length; i++)
        {
            plain[i] ^= scramble[i % scramble.Length];
        }

        using var rsa = RSA.Create();
        rsa.ImportFromPem(publicKeyPem);
        return rsa.Encrypt(plain, RSAEncryptionPadding.OaepSHA1);
    }
}
