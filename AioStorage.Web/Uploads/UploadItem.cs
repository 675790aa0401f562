namespace AioStorage.Web.Uploads;

public enum UploadState
{
    Queued,
    Uploading,
    Retrying,
    Paused,
    Completed,
    Failed,
    Canceled,
}

/// <summary>Why an upload stopped: the api's problem (status 0 when no answer came at all).</summary>
public sealed record UploadProblem(int Status, string? Title, string? Detail);

/// <summary>One file on its way from this browser to the api, as the upload tray shows it.</summary>
public sealed class UploadItem
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public required long Size { get; init; }

    /// <summary>The destination folder's id; null for the top of My files.</summary>
    public string? FolderId { get; init; }

    public string? FolderName { get; init; }

    /// <summary>It continues an upload that an earlier visit started.</summary>
    public bool Resuming { get; init; }

    public long Sent { get; set; }

    public double BytesPerSecond { get; set; }

    public UploadState State { get; set; }

    public UploadProblem? Problem { get; set; }

    /// <summary>When the next attempt starts, while <see cref="UploadState.Retrying"/>.</summary>
    public DateTimeOffset? RetryAt { get; set; }

    /// <summary>The file the upload made, once <see cref="UploadState.Completed"/>.</summary>
    public string? FileId { get; set; }

    public bool IsActive => State is UploadState.Queued or UploadState.Uploading or UploadState.Retrying or UploadState.Paused;

    public bool IsRunning => State is UploadState.Uploading or UploadState.Retrying;

    /// <summary>Whole percent, rounded down so 100 means every byte arrived.</summary>
    public int Percent => State == UploadState.Completed ? 100
        : Size <= 0 ? 0
        : (int)Math.Clamp(Sent * 100 / Size, 0, 100);

    /// <summary>How long the rest should take at the current speed; null while there is no speed to go by.</summary>
    public TimeSpan? Remaining => State == UploadState.Uploading && BytesPerSecond >= 1
        ? TimeSpan.FromSeconds(Math.Max(0, Size - Sent) / BytesPerSecond)
        : null;
}

/// <summary>An upload an earlier visit left unfinished, remembered by the browser until the same file is chosen again.</summary>
public sealed record RememberedUpload(string Key, string Name, long Size, long Offset, string? FolderId, string? FolderName, DateTimeOffset? SavedAt)
{
    public int Percent => Size <= 0 ? 0 : (int)Math.Clamp(Offset * 100 / Size, 0, 100);
}

/// <summary>What the browser reports when it takes files on.</summary>
public sealed record QueuedUpload(string Id, string Name, long Size, string? FolderId, string? FolderName, long Sent, bool Resuming);

/// <summary>What the browser reports when an upload changes state.</summary>
public sealed record UploadReport(string State, long Sent, double BytesPerSecond, double? RetryInMs, string? FileId, UploadProblem? Error);
