namespace Fleet.Nats.Benchmarks;

/// <summary>
/// One server operation read by <see cref="RawNatsConnection"/>. The memory points into the connection's receive
/// buffer and is valid only until the next read, which is what keeps the baseline free of copies and allocations.
/// </summary>
internal readonly record struct RawFrame(RawFrameKind Kind, ReadOnlyMemory<byte> Subject, ReadOnlyMemory<byte> ReplyTo, ReadOnlyMemory<byte> Payload);
