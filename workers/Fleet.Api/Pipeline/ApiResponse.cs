namespace Fleet.Api.Pipeline;

/// <summary>A serialised answer, identical for HTTP and NATS: status, media type, body bytes, Location.</summary>
internal sealed record ApiResponse(int Status, string? ContentType, ReadOnlyMemory<byte> Body, string? Location);
