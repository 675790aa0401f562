using AioStorage.Core.Configuration;

namespace AioStorage.Core.Archives;

/// <summary>
/// Where archives live on the shared volume: finished ones at <c>STORAGE_PATH/archives/&lt;jobId&gt;.zip</c>, ones being
/// written under <c>STORAGE_PATH/archives-work/</c> (same volume, so finishing is a rename). Paths are made only from job
/// ids, which are checked to be ids this system generated: a name or a crafted message never becomes a path.
/// </summary>
public sealed class ArchiveFiles(StorageOptions storage)
{
    private const string WorkSuffix = ".zip.partial";

    public string Root => Path.Combine(storage.Path, "archives");

    public string WorkRoot => Path.Combine(storage.Path, "archives-work");

    /// <summary>32 lower-case hex digits, as <see cref="Ids.New"/> makes them.</summary>
    public static bool IsJobId(string? id) => id is { Length: 32 } && id.All(char.IsAsciiHexDigitLower);

    public string PathOf(string jobId) => Path.Combine(Root, Checked(jobId) + ".zip");

    /// <summary>A fresh file name for one attempt at writing the job's archive; earlier attempts' files are <see cref="StaleWorkFiles"/>.</summary>
    public string NewWorkPath(string jobId) => Path.Combine(WorkRoot, $"{Checked(jobId)}.{Ids.New()}{WorkSuffix}");

    /// <summary>Files earlier attempts at this job left behind (a worker killed mid-way).</summary>
    public IEnumerable<string> StaleWorkFiles(string jobId) =>
        Directory.Exists(WorkRoot) ? Directory.EnumerateFiles(WorkRoot, $"{Checked(jobId)}.*{WorkSuffix}") : [];

    /// <summary>Work files nobody has written to since <paramref name="cutoff"/>: their writer is gone.</summary>
    public IEnumerable<string> AbandonedWorkFiles(DateTimeOffset cutoff) =>
        Directory.Exists(WorkRoot)
            ? Directory.EnumerateFiles(WorkRoot, "*" + WorkSuffix).Where(f => File.GetLastWriteTimeUtc(f) < cutoff.UtcDateTime)
            : [];

    private static string Checked(string jobId) => IsJobId(jobId)
        ? jobId
        : throw new ArgumentException("Not an archive job id.", nameof(jobId));
}
