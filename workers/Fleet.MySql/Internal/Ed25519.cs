using System.Numerics;
using System.Security.Cryptography;

namespace Fleet.MySql.Internal;

/// <summary>
/// Ed25519 signing (RFC 8032) for MariaDB's client_ed25519 plugin, which .NET has no API for. MariaDB uses the
/// password itself as the seed (SHA-512 of any length), so a 32-byte password is plain RFC 8032. BigInteger
/// arithmetic is slow (a few milliseconds) but runs once per login, and the password never leaves the process.
/// Not constant-time: acceptable for a client signing a server nonce with a secret the server already knows.
/// </summary>
internal static class Ed25519
{
    private static readonly BigInteger P = BigInteger.Pow(2, 255) - 19;
    private static readonly BigInteger L = BigInteger.Pow(2, 252) + BigInteger.Parse("27742317777372353535851937790883648493", System.Globalization.CultureInfo.InvariantCulture);
    private static readonly BigInteger D = Mod(-121665 * Inverse(121666));
    private static readonly BigInteger SqrtMinusOne = BigInteger.ModPow(2, (P - 1) / 4, P);
    private static readonly Point BasePoint = CreateBasePoint();

    /// <summary>The 64-byte signature R || S of <paramref name="message"/> with the key derived from <paramref name="seed"/>.</summary>
    public static byte[] Sign(ReadOnlySpan<byte> message, ReadOnlySpan<byte> seed)
    {
        var hash = SHA512.HashData(seed);
        hash[0] &= 248;
        hash[31] &= 63;
        hash[31] |= 64;
        var secret = new BigInteger(hash.AsSpan(0, 32), isUnsigned: true);
        var publicKey = Encode(Multiply(secret, BasePoint));

        var r = Mod(new BigInteger(SHA512.HashData([.. hash.AsSpan(32, 32), .. message]), isUnsigned: true), L);
        var encodedR = Encode(Multiply(r, BasePoint));
        var k = Mod(new BigInteger(SHA512.HashData([.. encodedR, .. publicKey, .. message]), isUnsigned: true), L);
        var s = Mod(r + (k * secret), L);

        var signature = new byte[64];
        encodedR.CopyTo(signature, 0);
        s.TryWriteBytes(signature.AsSpan(32), out _, isUnsigned: true);
        return signature;
    }

    /// <summary>The public key for <paramref name="seed"/> (what the server stores), for tests.</summary>
    public static byte[] PublicKey(ReadOnlySpan<byte> seed)
    {
        var hash = SHA512.HashData(seed);
        hash[0] &= 248;
        hash[31] &= 63;
        hash[31] |= 64;
        return Encode(Multiply(new BigInteger(hash.AsSpan(0, 32), isUnsigned: true), BasePoint));
    }

    private static Point CreateBasePoint()
    {
        var y = Mod(4 * Inverse(5));
        var xx = Mod((y * y - 1) * Inverse((D * y * y) + 1));
        var x = BigInteger.ModPow(xx, (P + 3) / 8, P);
        if (Mod((x * x) - xx) != 0)
        {
            x = Mod(x * SqrtMinusOne);
        }

        if (!x.IsEven)
        {
            x = P - x;
        }

        return new Point(x, y, 1, Mod(x * y));
    }

    /// <summary>Addition in extended coordinates (RFC 8032, section 5.1.4); also used for doubling.</summary>
    private static Point Add(Point p, Point q)
    {
        var a = Mod((p.Y - p.X) * (q.Y - q.X));
        var b = Mod((p.Y + p.X) * (q.Y + q.X));
        var c = Mod(2 * D * p.T * q.T);
        var d = Mod(2 * p.Z * q.Z);
        var e = b - a;
        var f = d - c;
        var g = d + c;
        var h = b + a;
        return new Point(Mod(e * f), Mod(g * h), Mod(f * g), Mod(e * h));
    }

    private static Point Multiply(BigInteger scalar, Point point)
    {
        var result = new Point(0, 1, 1, 0);

        // Bounded by the scalar's bit length (at most 256 iterations).
        while (scalar > 0)
        {
            if (!scalar.IsEven)
            {
                result = Add(result, point);
            }

            point = Add(point, point);
            scalar >>= 1;
        }

        return result;
    }

    private static byte[] Encode(Point point)
    {
        var zInverse = Inverse(point.Z);
        var x = Mod(point.X * zInverse);
        var y = Mod(point.Y * zInverse);
        var bytes = new byte[32];
        y.TryWriteBytes(bytes, out _, isUnsigned: true);
        bytes[31] |= (byte)(x.IsEven ? 0 : 0x80);
        return bytes;
    }

    private static BigInteger Inverse(BigInteger value) => BigInteger.ModPow(Mod(value), P - 2, P);

    private static BigInteger Mod(BigInteger value) => Mod(value, P);

    private static BigInteger Mod(BigInteger value, BigInteger modulus)
    {
        var result = BigInteger.Remainder(value, modulus);
        return result.Sign < 0 ? result + modulus : result;
    }

    private readonly record struct Point(BigInteger X, BigInteger Y, BigInteger Z, BigInteger T);
}
