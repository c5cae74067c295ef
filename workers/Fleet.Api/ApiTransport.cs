namespace Fleet.Api;

/// <summary>Which transports serve the API operations; health endpoints are always served over HTTP.</summary>
[Flags]
internal enum ApiTransport
{
    None = 0,
    Http = 1,
    Nats = 2,
    Both = Http | Nats,
}
