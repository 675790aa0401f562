using System.Text.Json;

namespace AioStorage.Core.Messaging;

/// <summary>How message bodies look on the wire: UTF-8 JSON, camelCase, with the contract's nullability enforced on read.</summary>
public static class MessageSerializer
{
    public const string ContentType = "application/json";

    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        // A body that leaves out or nulls a required member is poison, not a handler bug waiting to happen.
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>The AMQP <c>type</c> property for a contract.</summary>
    public static string TypeName<T>() => typeof(T).Name;

    public static byte[] Serialize<T>(T message) => JsonSerializer.SerializeToUtf8Bytes(message, Options);

    public static T Deserialize<T>(ReadOnlySpan<byte> body) =>
        JsonSerializer.Deserialize<T>(body, Options) ?? throw new JsonException("The body is JSON null.");
}
