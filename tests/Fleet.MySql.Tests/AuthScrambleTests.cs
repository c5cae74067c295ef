using Fleet.MySql.Internal;

namespace Fleet.MySql.Tests;

/// <summary>Known answers computed with Python's hashlib from the protocol documentation's formulas.</summary>
public sealed class AuthScrambleTests
{
    private static readonly byte[] Scramble = [.. Enumerable.Range(1, 20).Select(i => (byte)i)];

    [Fact]
    public void NativePasswordMatchesDocumentedFormula() =>
        Assert.Equal("8BF74B862B900A35CB81955F51873453569765C7", Convert.ToHexString(AuthScramble.Native("fleet-pass", Scramble)));

    [Fact]
    public void NativePasswordHashesUtf8() =>
        Assert.Equal("1CB3297B803F9FCC1C6FB2C77360265B5DE64955", Convert.ToHexString(AuthScramble.Native("pässwörd🔑", Scramble)));

    [Fact]
    public void CachingSha2MatchesDocumentedFormula() =>
        Assert.Equal(
            "A82BBCC3494761F51C628CE4346044BEF7BE4EEEC4B78B581E53342DF172C26A",
            Convert.ToHexString(AuthScramble.CachingSha2("fleet-pass", Scramble)));

    [Fact]
    public void EmptyPasswordSendsEmptyResponse()
    {
        Assert.Empty(AuthScramble.Native(string.Empty, Scramble));
        Assert.Empty(AuthScramble.CachingSha2(string.Empty, Scramble));
    }

    [Fact]
    public void RsaEncryptedPasswordDecryptsToPasswordXorScramble()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var encrypted = AuthScramble.RsaEncryptPassword("secret", Scramble, rsa.ExportSubjectPublicKeyInfoPem());
        var plain = rsa.Decrypt(encrypted, System.Security.Cryptography.RSAEncryptionPadding.OaepSHA1);
        for (var i = 0; i < plain.Length; i++)
        {
            plain[i] ^= Scramble[i % Scramble.Length];
        }

        Assert.Equal("secret\0"u8.ToArray(), plain);
    }

    [Fact]
    public void Ed25519PublicKeyMatchesRfc8032TestVector() =>
        Assert.Equal(
            "D75A980182B10AB7D54BFED3C964073A0EE172F3DAA62325AF021A68F707511A",
            Convert.ToHexString(Ed25519.PublicKey(Convert.FromHexString("9D61B19DEFFD5A60BA844AF492EC2CC44449C5697B326919703BAC031CAE7F60"))));

    /// <summary>Expected signature made by `openssl pkeyutl -sign -rawin` with the same 32-byte seed.</summary>
    [Fact]
    public void Ed25519SignatureMatchesOpenSsl() =>
        Assert.Equal(
            "78788C019313AC06CFC209C184E71DD752F362420E0BF7D35AFF43F0882B66D26E40C5931CA2CDCB35EB053E549F6CD0B59FA37090371128187863B0B56BB60C",
            Convert.ToHexString(Ed25519.Sign(
                "0123456789abcdef0123456789abcdef"u8,
                Convert.FromHexString("9D61B19DEFFD5A60BA844AF492EC2CC44449C5697B326919703BAC031CAE7F60"))));
}
