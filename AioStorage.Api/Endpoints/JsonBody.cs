using System.Text.Json;
using System.Text.Json.Nodes;
using AioStorage.Core.Errors;

namespace AioStorage.Api.Endpoints;

/// <summary>PATCH bodies, where "absent" and "null" mean different things.</summary>
internal static class JsonBody
{
    public static string? OptionalString(JsonObject body, string property)
    {
        if (!body.TryGetPropertyValue(property, out var value) || value is null)
        {
            return null;
        }

        return value.GetValueKind() == JsonValueKind.String
            ? value.GetValue<string>()
            : throw ValidationFailedException.For(property, $"{property} must be a string.");
    }
}
