using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Fleet.Nats.JetStream;

/// <summary>
/// Reads JetStream API answers. Every answer is one JSON object that either carries the result's own
/// fields or an <c>error</c> object next to a <c>type</c>, so the error is looked for first.
/// </summary>
internal static class NatsJSApiResponse
{
    /// <summary>Deserializes <paramref name="json"/>, or throws the server's error as a <see cref="NatsJSApiException"/>.</summary>
    public static T Parse<T>(ReadOnlySpan<byte> json, JsonTypeInfo<T> typeInfo)
    {
        try
        {
            if (TryReadError(json, out var error))
            {
                throw new NatsJSApiException(error);
            }

            return JsonSerializer.Deserialize(json, typeInfo)
                ?? throw new NatsJSException($"The JetStream API answered null where a {typeof(T).Name} was expected.");
        }
        catch (JsonException ex)
        {
            throw new NatsJSException($"The JetStream API answered malformed JSON where a {typeof(T).Name} was expected.", ex);
        }
    }

    /// <summary>Finds a top-level, non-null <c>error</c> object without deserializing the rest.</summary>
    public static bool TryReadError(ReadOnlySpan<byte> json, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out NatsJSApiError? error)
    {
        error = null;
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A JetStream API answer must be a JSON object.");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isError = reader.ValueTextEquals("error"u8);
            reader.Read();
            if (isError && reader.TokenType == JsonTokenType.StartObject)
            {
                error = JsonSerializer.Deserialize(ref reader, NatsJSJsonContext.Default.NatsJSApiError);
                return error is not null;
            }

            reader.Skip();
        }

        return false;
    }
}
