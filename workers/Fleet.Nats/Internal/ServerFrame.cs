using System.Buffers;

namespace Fleet.Nats.Internal;

/// <summary>
/// One parsed server operation. <see cref="Headers"/> and <see cref="Payload"/> slice the read buffer, so they are
/// valid only until the reader advances past them.
/// </summary>
internal readonly record struct ServerFrame(
    ServerOp Op,
    string? Text = null,
    string? Subject = null,
    long Sid = 0,
    string? ReplyTo = null,
    ReadOnlySequence<byte> Headers = default,
    ReadOnlySequence<byte> Payload = default,
    byte[]? InfoJson = null);
