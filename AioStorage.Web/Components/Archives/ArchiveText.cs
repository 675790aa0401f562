using AioStorage.Web.Api;
using AioStorage.Web.Archives;
using AioStorage.Web.Components.Shared;

namespace AioStorage.Web.Components.Archives;

/// <summary>The words of the archive tray: what each ZIP is doing, and what the list adds up to.</summary>
public static class ArchiveText
{
    /// <summary>One line under a ZIP's name.</summary>
    public static string Status(ArchiveItem item)
    {
        var text = item.State switch
        {
            ArchiveStatus.Queued => "Waiting for the server to start on it…",
            ArchiveStatus.Running when Contents(item.Job.FileCount, item.Job.TotalBytes) is { } contents => $"Preparing · {item.Percent}% of {contents}",
            ArchiveStatus.Running => $"Preparing · {item.Percent}%",
            ArchiveStatus.Completed => string.Join(" · ", new[]
            {
                "Ready",
                Files(item.Job.FileCount),
                item.Job.Size is { } size ? Format.Bytes(size) : null,
            }.Where(part => part is not null)),
            ArchiveStatus.Expired => "Expired",
            _ => "Could not be prepared",
        };
        return item.Stalled ? $"Connection trouble, still asking · {text}" : text;
    }

    /// <summary>"2 items were skipped: deleted or moved to the trash meanwhile (notes.txt, plan.txt)", or null.</summary>
    public static string? Skipped(ArchiveItem item)
    {
        var skipped = item.Skipped;
        if (skipped.Count == 0)
        {
            return null;
        }

        // The api skips exactly the selected items that were deleted or trashed after the request.
        var names = string.Join(", ", skipped.Select(s => s.Name));
        return skipped.Count == 1
            ? $"1 item was skipped: deleted or moved to the trash meanwhile ({names})."
            : $"{skipped.Count} items were skipped: deleted or moved to the trash meanwhile ({names}).";
    }

    /// <summary>The tray's title.</summary>
    public static string Title(IReadOnlyCollection<ArchiveItem> items)
    {
        var active = items.Count(i => i.IsActive);
        if (active > 0)
        {
            return active == 1 ? "Preparing 1 ZIP" : $"Preparing {active} ZIPs";
        }

        var ready = items.Count(i => i.State == ArchiveStatus.Completed);
        var expired = items.Count(i => i.State == ArchiveStatus.Expired);
        var failed = items.Count - ready - expired;
        return (ready, failed, expired) switch
        {
            (0, 0, 0) => "ZIP downloads",
            (_, 0, 0) => ready == 1 ? "ZIP ready" : $"{ready} ZIPs ready",
            (0, _, 0) => failed == 1 ? "ZIP failed" : $"{failed} ZIPs failed",
            (0, 0, _) => expired == 1 ? "ZIP expired" : $"{expired} ZIPs expired",
            _ => string.Join(", ", new[]
            {
                ready > 0 ? $"{ready} ready" : null,
                failed > 0 ? $"{failed} failed" : null,
                expired > 0 ? $"{expired} expired" : null,
            }.Where(part => part is not null)),
        };
    }

    /// <summary>Under the title while something is being prepared: people need not wait on the page.</summary>
    public static string? Summary(IReadOnlyCollection<ArchiveItem> items) =>
        items.Any(i => i.IsActive) ? "The download starts by itself once it is ready." : null;

    /// <summary>What a screen reader hears when a ZIP ends.</summary>
    public static string? Announcement(ArchiveItem item) => item.State switch
    {
        ArchiveStatus.Completed => $"{item.Name} is ready and downloading.",
        ArchiveStatus.Failed => $"{item.Name} could not be prepared: {item.Problem}",
        ArchiveStatus.Expired => $"{item.Name} expired.",
        _ => null,
    };

    private static string? Contents(int? fileCount, long? totalBytes) => (fileCount, totalBytes) switch
    {
        ({ } count, { } bytes) => $"{Files(count)} ({Format.Bytes(bytes)})",
        ({ } count, null) => Files(count),
        _ => null,
    };

    private static string? Files(int? count) => count switch
    {
        null => null,
        1 => "1 file",
        _ => $"{count} files",
    };
}
