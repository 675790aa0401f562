using System.Globalization;
using AioStorage.Web.Components.Shared;
using AioStorage.Web.Uploads;

namespace AioStorage.Web.Components.Uploads;

/// <summary>The words of the upload tray: what each upload is doing, and what the whole batch adds up to.</summary>
public static class UploadText
{
    /// <summary>One line under an upload's name.</summary>
    public static string Status(UploadItem item, DateTimeOffset now) => item.State switch
    {
        UploadState.Queued when item.Sent > 0 => $"Waiting · {Progress(item)}",
        UploadState.Queued => "Waiting…",
        UploadState.Uploading => string.Join(" · ", new[]
        {
            Progress(item),
            item.BytesPerSecond >= 1 ? Speed(item.BytesPerSecond) : null,
            item.Remaining is { } left ? $"{Duration(left)} left" : null,
        }.Where(part => part is not null)),
        UploadState.Retrying => $"Connection trouble, trying again {RetryWhen(item.RetryAt, now)} · {Progress(item)}",
        UploadState.Paused => $"Paused · {Progress(item)}",
        UploadState.Completed => item.Resuming ? $"Uploaded · {Format.Bytes(item.Size)} (resumed)" : $"Uploaded · {Format.Bytes(item.Size)}",
        UploadState.Canceled => "Canceled",
        _ => Heading(item.Problem),
    };

    /// <summary>"1.2 MB of 3.5 MB (34%)".</summary>
    public static string Progress(UploadItem item) =>
        $"{Format.Bytes(item.Sent)} of {Format.Bytes(item.Size)} ({item.Percent}%)";

    public static string Speed(double bytesPerSecond) => $"{Format.Bytes((long)bytesPerSecond)}/s";

    /// <summary>Rounded the way people say it: "8 s", "2 min", "1 h 5 min".</summary>
    public static string Duration(TimeSpan span) => span.TotalSeconds switch
    {
        < 1 => "1 s",
        < 60 => string.Create(CultureInfo.InvariantCulture, $"{Math.Ceiling(span.TotalSeconds):0} s"),
        < 3600 => string.Create(CultureInfo.InvariantCulture, $"{Math.Ceiling(span.TotalMinutes):0} min"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours} h {span.Minutes} min"),
    };

    /// <summary>What went wrong, in a few words; the api's own detail goes underneath.</summary>
    public static string Heading(UploadProblem? problem) => problem?.Status switch
    {
        507 => "Not enough storage",
        413 => "Too large",
        409 => "Name already taken",
        404 => problem.Title is { Length: > 0 } notFound ? notFound : "Not found",
        401 => "Signed out",
        403 => "Not allowed",
        0 or null => "Connection lost",
        _ => problem.Title is { Length: > 0 } title ? title : "Upload failed",
    };

    /// <summary>The tray's title.</summary>
    public static string Title(IReadOnlyCollection<UploadItem> items)
    {
        var active = items.Count(i => i.IsActive);
        var running = items.Count(i => i.State is UploadState.Uploading or UploadState.Retrying or UploadState.Queued);
        var failed = items.Count(i => i.State == UploadState.Failed);
        var done = items.Count(i => i.State == UploadState.Completed);
        if (running > 0)
        {
            return $"Uploading {Files(active)}";
        }

        if (active > 0)
        {
            return $"{Files(active)} paused";
        }

        return (done, failed) switch
        {
            (0, 0) => "Uploads",
            (_, 0) => done == 1 ? "1 upload complete" : $"{done} uploads complete",
            (0, _) => failed == 1 ? "1 upload failed" : $"{failed} uploads failed",
            _ => $"{done} uploaded, {failed} failed",
        };
    }

    /// <summary>The whole batch still on its way: "12 MB of 40 MB · 1 min left", or null when nothing is.</summary>
    public static string? Summary(IReadOnlyCollection<UploadItem> items)
    {
        var active = items.Where(i => i.IsActive).ToList();
        if (active.Count == 0)
        {
            return null;
        }

        var size = active.Sum(i => i.Size);
        var sent = active.Sum(i => Math.Min(i.Sent, i.Size));
        var speed = active.Where(i => i.State == UploadState.Uploading).Sum(i => i.BytesPerSecond);
        var percent = size <= 0 ? 0 : (int)(sent * 100 / size);
        var text = $"{Format.Bytes(sent)} of {Format.Bytes(size)} ({percent}%)";
        return speed >= 1 ? $"{text} · {Duration(TimeSpan.FromSeconds((size - sent) / speed))} left" : text;
    }

    private static string Files(int count) => count == 1 ? "1 file" : $"{count} files";

    private static string RetryWhen(DateTimeOffset? at, DateTimeOffset now)
    {
        var wait = at - now;
        return wait is { TotalSeconds: >= 1 } left ? $"in {Duration(left)}" : "now";
    }
}
