using System.Text.Json.Serialization;

namespace Fleet.Nats.JetStream;

/// <summary>Where a stream keeps its messages (<c>storage</c> in the stream configuration).</summary>
public enum NatsJSStorageType
{
    /// <summary>On disk in the server's store directory; survives a server restart. The server's default.</summary>
    [JsonStringEnumMemberName("file")]
    File = 0,

    /// <summary>In memory only; lost when the server stops.</summary>
    [JsonStringEnumMemberName("memory")]
    Memory,
}
