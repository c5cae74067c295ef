using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fleet.Nats.JetStream;

/// <summary>
/// JetStream writes every duration (ack_wait, max_age, duplicate_window, expires…) as a whole number of
/// nanoseconds, Go's <c>time.Duration</c>; the public models expose them as <see cref="TimeSpan"/>.
/// </summary>
internal sealed class NatsJSNanosecondsConverter : JsonConverter<TimeSpan>
{
    private const long NanosecondsPerTick = 100;

    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        TimeSpan.FromTicks(reader.GetInt64() / NanosecondsPerTick);

    // checked: a duration past ~292 years does not fit Go's int64 nanoseconds; failing loudly beats a negative wait.
    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(checked(value.Ticks * NanosecondsPerTick));

    public static long ToNanoseconds(TimeSpan value) => checked(value.Ticks * NanosecondsPerTick);
}
