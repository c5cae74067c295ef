using System.Globalization;
using System.Text;

namespace Fleet.Nats.Benchmarks;

/// <summary>Pre-built protocol bytes for the raw baseline: built once per run, outside the timed section.</summary>
internal static class ProtocolFrames
{
    /// <summary>The raw publisher writes in batches of about this size, one socket send each.</summary>
    public const int BatchBytes = 64 * 1024;

    /// <summary>A payload of <paramref name="size"/> printable bytes, so a captured stream stays readable.</summary>
    public static byte[] Payload(int size)
    {
        var payload = new byte[size];
        for (var i = 0; i < size; i++)
        {
            payload[i] = (byte)('a' + (i % 26));
        }

        return payload;
    }

    /// <summary><c>PUB subject [reply] len\r\npayload\r\n</c>.</summary>
    public static byte[] Pub(string subject, string? replyTo, ReadOnlySpan<byte> payload)
    {
        var control = replyTo is null
            ? string.Create(CultureInfo.InvariantCulture, $"PUB {subject} {payload.Length}\r\n")
            : string.Create(CultureInfo.InvariantCulture, $"PUB {subject} {replyTo} {payload.Length}\r\n");
        var frame = new byte[Encoding.ASCII.GetByteCount(control) + payload.Length + 2];
        var written = Encoding.ASCII.GetBytes(control, frame);
        payload.CopyTo(frame.AsSpan(written));
        "\r\n"u8.CopyTo(frame.AsSpan(written + payload.Length));
        return frame;
    }

    /// <summary><c>SUB subject sid\r\n</c>.</summary>
    public static byte[] Sub(string subject, int sid) =>
        Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"SUB {subject} {sid}\r\n"));

    /// <summary>As many copies of <paramref name="frame"/> as fit in <see cref="BatchBytes"/> (at least one), back to back.</summary>
    public static byte[] Batch(byte[] frame, out int framesPerBatch)
    {
        framesPerBatch = Math.Max(1, BatchBytes / frame.Length);
        var batch = new byte[framesPerBatch * frame.Length];
        for (var i = 0; i < framesPerBatch; i++)
        {
            frame.CopyTo(batch, i * frame.Length);
        }

        return batch;
    }
}
