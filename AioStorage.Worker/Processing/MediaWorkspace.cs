using AioStorage.Core;
using AioStorage.Core.Media;
using Microsoft.Extensions.Options;

namespace AioStorage.Worker.Processing;

/// <summary>
/// Private folders under <see cref="MediaStore.WorkRoot"/> (same volume as the products) where outputs are assembled
/// before being renamed into place, so nobody ever sees half a product. A handler that is cancelled deletes its folder;
/// one whose process was killed leaves it behind, and <see cref="SweepStale"/> deletes it once it is older than
/// <see cref="MediaWorkerOptions.StaleWorkAfter"/>.
/// </summary>
public sealed partial class MediaWorkspace(MediaStore store, IOptions<MediaWorkerOptions> options, TimeProvider time, ILogger<MediaWorkspace> logger)
{
    public const string TranscodePrefix = "transcode-";
    public const string PreviewPrefix = "preview-";

    private static readonly string[] OwnPrefixes = [TranscodePrefix, PreviewPrefix];

    public WorkFolder Create(string prefix)
    {
        if (!OwnPrefixes.Contains(prefix))
        {
            throw new ArgumentException($"Work folders start with one of {string.Join(", ", OwnPrefixes)}.", nameof(prefix));
        }

        var path = Path.Combine(store.WorkRoot, prefix + Ids.New());
        Directory.CreateDirectory(path);
        return new WorkFolder(path, logger);
    }

    /// <summary>Deletes this worker kind's folders last written before now - <see cref="MediaWorkerOptions.StaleWorkAfter"/>. Returns how many.</summary>
    public int SweepStale()
    {
        var root = new DirectoryInfo(store.WorkRoot);
        if (!root.Exists)
        {
            return 0;
        }

        var cutoff = (time.GetUtcNow() - options.Value.StaleWorkAfter).UtcDateTime;
        var swept = 0;
        foreach (var folder in root.EnumerateDirectories())
        {
            if (!OwnPrefixes.Any(p => folder.Name.StartsWith(p, StringComparison.Ordinal)) || folder.LastWriteTimeUtc >= cutoff)
            {
                continue;
            }

            try
            {
                folder.Delete(recursive: true);
                swept++;
                LogSwept(logger, folder.Name, folder.LastWriteTimeUtc);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Another worker is sweeping the same folder.
            }
        }

        return swept;
    }

    /// <summary>Moves a finished file into place (replacing an identical product another worker may have placed first).</summary>
    public static void PlaceFile(string source, string target)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Move(source, target, overwrite: true);
    }

    /// <summary>
    /// Renames a finished folder into place. False when the target already exists (another worker finished the same
    /// content first): the products are the same, so the caller keeps theirs and drops its own.
    /// </summary>
    public static bool PlaceDirectory(string source, string target)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        if (Directory.Exists(target))
        {
            return false;
        }

        try
        {
            Directory.Move(source, target);
            return true;
        }
        catch (IOException) when (Directory.Exists(target))
        {
            return false;
        }
    }

    [LoggerMessage(LogLevel.Information, "Swept the abandoned work folder {Folder} (last written {LastWrite:u})")]
    private static partial void LogSwept(ILogger logger, string folder, DateTime lastWrite);
}

/// <summary>One job's private folder; disposing deletes it with whatever is left inside.</summary>
public sealed partial class WorkFolder(string path, ILogger logger) : IDisposable
{
    public string Path { get; } = path;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogNotDeleted(logger, Path, ex.Message);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Could not delete the work folder {Folder}; it is swept later: {Reason}")]
    private static partial void LogNotDeleted(ILogger logger, string folder, string reason);
}
