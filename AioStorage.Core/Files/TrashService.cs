using AioStorage.Core.Accounts;
using AioStorage.Core.Audit;
using AioStorage.Core.Blobs;
using AioStorage.Core.Errors;
using AioStorage.Core.Folders;
using AioStorage.Core.Metadata;

namespace AioStorage.Core.Files;

/// <summary>How long trashed items stay before they are purged for good (<c>TRASH_RETENTION_DAYS</c>, 30 by default).</summary>
public sealed record TrashOptions(TimeSpan Retention)
{
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromDays(30);
}

/// <summary>
/// The trash: what a user deleted, restorable until purged. Purging frees exactly what the purged records counted:
/// each version and file record is deleted first (only one caller ever gets it back) and only then are its storage
/// and blob reference released, so a repeat after a crash frees nothing twice; the group's root goes last, so an
/// interrupted purge stays visible in the trash and is finished by purging again.
/// </summary>
public sealed class TrashService(
    INodeStore nodes,
    IFileVersionStore versions,
    IUserStore users,
    BlobStore blobs,
    ListingCache listings,
    AuditLog audit,
    TimeProvider time)
{
    public Task<Page<NodeRecord>> ListAsync(string ownerId, int skip, int limit, CancellationToken cancellationToken)
        => nodes.ListTrashAsync(ownerId, skip, limit, cancellationToken);

    /// <summary>Back where it was, or at the top when that folder is gone; under a free numbered name if the old one was taken meanwhile.</summary>
    public async Task<NodeRecord> RestoreAsync(string ownerId, string id, ClientInfo client, CancellationToken cancellationToken)
    {
        var root = await GetTrashRootAsync(ownerId, id, cancellationToken);
        var parent = root.ParentId is not null && await nodes.GetAsync(ownerId, root.ParentId, cancellationToken) is FolderRecord { IsTrashed: false }
            ? root.ParentId
            : null;
        for (var n = 0; n < 1000; n++)
        {
            var name = n == 0 ? root.Name : FileNaming.Numbered(root.Name, n);
            if (await nodes.FindChildByNameAsync(ownerId, parent, name, cancellationToken) is not null)
            {
                continue;
            }

            try
            {
                var restored = await nodes.RestoreAsync(ownerId, id, parent, name, time.GetUtcNow(), cancellationToken)
                    ?? throw new NotFoundException("Trashed item");
                await listings.InvalidateAsync(ownerId, parent);
                await audit.RecordAsync(ownerId, AuditActions.TrashRestore, id, client, cancellationToken,
                    new Dictionary<string, string> { ["name"] = name, ["to"] = parent ?? FolderService.RootId });
                return restored;
            }
            catch (MetadataConflictException)
            {
                // Taken between the look-up and the restore: try the next name.
            }
        }

        throw new ConflictException("name", $"No free name was found to restore '{root.Name}'.");
    }

    public async Task PurgeAsync(string ownerId, string id, ClientInfo client, CancellationToken cancellationToken)
    {
        var root = await GetTrashRootAsync(ownerId, id, cancellationToken);
        var freed = await PurgeGroupAsync(ownerId, root, cancellationToken);
        await audit.RecordAsync(ownerId, AuditActions.TrashPurge, id, client, cancellationToken, new Dictionary<string, string>
        {
            ["name"] = root.Name,
            ["bytes"] = freed.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
    }

    /// <summary>Purges everything in the user's trash; returns how many items (trash roots) were purged.</summary>
    public async Task<int> EmptyAsync(string ownerId, ClientInfo client, CancellationToken cancellationToken)
    {
        var purged = 0;
        while (true)
        {
            var page = await nodes.ListTrashAsync(ownerId, 0, 100, cancellationToken);
            if (page.Items.Count == 0)
            {
                return purged;
            }

            foreach (var root in page.Items)
            {
                await PurgeAsync(ownerId, root.Id, client, cancellationToken);
                purged++;
            }
        }
    }

    /// <summary>Purges every user's items trashed longer ago than the retention; returns how many.</summary>
    public async Task<int> PurgeExpiredAsync(TimeSpan retention, CancellationToken cancellationToken)
    {
        var purged = 0;
        var expired = await nodes.ListTrashDeletedBeforeAsync(time.GetUtcNow() - retention, 100, cancellationToken);
        foreach (var root in expired)
        {
            await PurgeGroupAsync(root.OwnerId, root, cancellationToken);
            await audit.RecordAsync(root.OwnerId, AuditActions.TrashPurge, root.Id, new ClientInfo(null, "retention"), cancellationToken,
                new Dictionary<string, string> { ["name"] = root.Name, ["reason"] = "retention" });
            purged++;
        }

        return purged;
    }

    private async Task<NodeRecord> GetTrashRootAsync(string ownerId, string id, CancellationToken cancellationToken)
        => await nodes.GetAsync(ownerId, id, cancellationToken) is { IsTrashed: true } node && node.TrashId == node.Id
            ? node
            : throw new NotFoundException("Trashed item");

    private async Task<long> PurgeGroupAsync(string ownerId, NodeRecord root, CancellationToken cancellationToken)
    {
        // Trashing again is idempotent and brings back into the group anything a cut-short trash or restore left live.
        await nodes.TrashAsync(ownerId, root.Id, root.DeletedAt ?? time.GetUtcNow(), cancellationToken);
        var group = await nodes.GetTrashGroupAsync(ownerId, root.Id, cancellationToken);
        long freed = 0;
        var ordered = group.Where(n => n.Id != root.Id)
            .OrderBy(n => n is FolderRecord ? 1 : 0)
            .Append(root);
        foreach (var node in ordered)
        {
            if (node is FileRecord file)
            {
                foreach (var version in await versions.ListAsync(ownerId, file.Id, cancellationToken))
                {
                    if (await versions.DeleteAsync(ownerId, version.Id, cancellationToken) is { } removed)
                    {
                        freed += await FreeAsync(ownerId, removed.Sha256, removed.Size);
                    }
                }
            }

            if (await nodes.DeleteAsync(ownerId, node.Id, cancellationToken) is FileRecord deleted)
            {
                freed += await FreeAsync(ownerId, deleted.Sha256, deleted.Size);
            }
        }

        return freed;
    }

    private async Task<long> FreeAsync(string ownerId, string sha256, long size)
    {
        await users.AdjustStorageUsedAsync(ownerId, -size, time.GetUtcNow(), CancellationToken.None);
        await blobs.ReleaseAsync(sha256, CancellationToken.None);
        return size;
    }
}
