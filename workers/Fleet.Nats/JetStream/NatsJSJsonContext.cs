using System.Text.Json.Serialization;

namespace Fleet.Nats.JetStream;

/// <summary>
/// Source-generated serializers for the JetStream API: no reflection at run time, trimming-safe. Names are
/// snake_case like the server's Go structs; properties at their default value are left out because the
/// server's zero values are its defaults (and some, like an empty <c>subjects</c> list, it rejects).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(NatsJSStreamConfig))]
[JsonSerializable(typeof(NatsJSStreamInfo))]
[JsonSerializable(typeof(NatsJSConsumerCreateRequest))]
[JsonSerializable(typeof(NatsJSConsumerInfo))]
[JsonSerializable(typeof(NatsJSPubAck))]
[JsonSerializable(typeof(NatsJSApiError))]
[JsonSerializable(typeof(NatsJSPullRequest))]
[JsonSerializable(typeof(NatsJSSuccessResponse))]
internal sealed partial class NatsJSJsonContext : JsonSerializerContext;
