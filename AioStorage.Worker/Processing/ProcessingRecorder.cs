using AioStorage.Core.Folders;
using AioStorage.Core.Media;
using AioStorage.Core.Metadata;

namespace AioStorage.Worker.Processing;

/// <summary>
/// Records what processing found on the file and makes its folder's cached listing show it at once: without the
/// invalidation, listings kept the old status and media (no thumbnail) until their cached page aged out. A final
/// status (ready, failed) clears the progress first, so nobody sees a finished file with a percentage.
/// </summary>
public sealed class ProcessingRecorder(INodeStore nodes, ListingCache listings, ProcessingProgressStore progress)
{
    public async Task<FileRecord?> RecordAsync(string fileId, string expectedSha256, FileStatus status, string? statusReason,
        string? mimeType, MediaInfo? media, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (status is FileStatus.Ready or FileStatus.Failed)
        {
            await progress.ClearAsync(fileId);
        }

        var recorded = await nodes.UpdateProcessingAsync(fileId, expectedSha256, status, statusReason, mimeType, media, at, cancellationToken);
        if (recorded is not null)
        {
            await listings.InvalidateAsync(recorded.OwnerId, recorded.ParentId);
        }

        return recorded;
    }
}
