using System.Text.Json;
using AioStorage.Core.Metadata;

namespace AioStorage.Core.Archives;

/// <summary>An item of the selection left out of the archive, and why (it was deleted or trashed after the request).</summary>
public sealed record SkippedItem(string Id, string Reason);

/// <summary>
/// What the worker found and made, kept as JSON in <see cref="JobRecord.Result"/>: the file count and their bytes once the
/// selection is walked, the ZIP's size once it is written, and what was skipped.
/// </summary>
public sealed record ArchiveResult(int FileCount, long TotalBytes, long? Size, IReadOnlyList<SkippedItem> Skipped);

/// <summary>How an archive job is kept in a <see cref="JobRecord"/> of kind <see cref="Kind"/>.</summary>
public static class ArchiveJobs
{
    public const string Kind = "archive";

    /// <summary>At most this many ids in one request: beyond it the user should select the folder that holds them.</summary>
    public const int MaxSelection = 1000;

    public const string CreatedAction = "archive.create";

    public const string DownloadedAction = "archive.download";

    private const string IdsParameter = "ids";
    private const string NameParameter = "name";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Dictionary<string, string> Parameters(IReadOnlyList<string> ids, string name) => new()
    {
        [IdsParameter] = JsonSerializer.Serialize(ids, Json),
        [NameParameter] = name,
    };

    /// <summary>The selection; a job whose parameters cannot be read is corrupt, which no retry can mend.</summary>
    public static IReadOnlyList<string> IdsOf(JobRecord job) =>
        job.Parameters.TryGetValue(IdsParameter, out var json) && Deserialize<string[]>(json) is { Length: > 0 } ids && ids.All(id => !string.IsNullOrEmpty(id))
            ? ids
            : throw new InvalidDataException($"Archive job {job.Id} has no readable selection.");

    public static string NameOf(JobRecord job) => job.Parameters.GetValueOrDefault(NameParameter) is { Length: > 0 } name ? name : "archive.zip";

    public static string Serialize(ArchiveResult result) => JsonSerializer.Serialize(result, Json);

    public static ArchiveResult? ResultOf(JobRecord job) => job.Result is { Length: > 0 } json ? Deserialize<ArchiveResult>(json) : null;

    /// <summary>
    /// The status a reader should see: a job past its expiry is expired even before the cleaner has marked it, so the
    /// api never offers a file the cleaner may be deleting.
    /// </summary>
    public static JobStatus EffectiveStatus(JobRecord job, DateTimeOffset now) =>
        job.ExpiresAt is { } expiresAt && expiresAt <= now ? JobStatus.Expired : job.Status;

    private static T? Deserialize<T>(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Json);
        }
        catch (JsonException)
        {
            return default;
        }
    }
}
