using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace AioStorage.Core.Metadata.Sqlite;

/// <summary>How values are stored in SQLite columns and how constraint failures become conflicts.</summary>
internal static class SqliteValues
{
    private const int SqliteConstraintPrimaryKey = 1555;
    private const int SqliteConstraintUnique = 2067;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Times are kept as Unix milliseconds, the precision a MongoDB date has, so both stores give back the same
    /// instant and sort it the same way.
    /// </summary>
    public static long ToUnixMs(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    public static DateTimeOffset FromUnixMs(long value) => DateTimeOffset.FromUnixTimeMilliseconds(value);

    /// <summary>Named unlike <c>Add</c>, whose (string, SqliteType) overload would take a literal 0 as a type.</summary>
    public static void AddValue(this SqliteParameterCollection parameters, string name, object? value) =>
        parameters.AddWithValue(name, value ?? DBNull.Value);

    public static string? GetNullableString(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static long? GetNullableInt64(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);

    public static DateTimeOffset GetTime(this SqliteDataReader reader, int ordinal) => FromUnixMs(reader.GetInt64(ordinal));

    public static DateTimeOffset? GetNullableTime(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : FromUnixMs(reader.GetInt64(ordinal));

    public static string ToJson<T>(T value) => JsonSerializer.Serialize(value, Json);

    public static T FromJson<T>(string json) => JsonSerializer.Deserialize<T>(json, Json)
        ?? throw new InvalidDataException($"The metadata database holds an empty {typeof(T).Name}.");

    /// <summary>
    /// Names the rule a failed insert or update broke, from the constraint SQLite reports. Its messages name the
    /// columns of a unique index ("UNIQUE constraint failed: users.email_key") or, for an index on an expression,
    /// the index itself ("UNIQUE constraint failed: index 'ux_nodes_live_name'").
    /// </summary>
    public static MetadataConflictException? AsConflict(SqliteException exception, params (string Marker, string Field, string Message)[] rules)
    {
        if (exception.SqliteExtendedErrorCode == SqliteConstraintPrimaryKey)
        {
            return new MetadataConflictException("id", "A record with this id already exists.");
        }

        if (exception.SqliteExtendedErrorCode != SqliteConstraintUnique)
        {
            return null;
        }

        foreach (var (marker, field, message) in rules)
        {
            if (exception.Message.Contains(marker, StringComparison.Ordinal))
            {
                return new MetadataConflictException(field, message);
            }
        }

        return null;
    }
}
