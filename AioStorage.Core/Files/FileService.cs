using AioStorage.Core.Accounts;
using AioStorage.Core.Audit;
using AioStorage.Core.Blobs;
using AioStorage.Core.Errors;
using AioStorage.Core.Folders;
using AioStorage.Core.Messaging;
using AioStorage.Core.Messaging.Contracts;
using AioStorage.Core.Metadata;

namespace AioStorage.Core.Files;

/// <summary>Limits of plain (non-resumable) uploads: <c>MAX_FILE_SIZE</c>, 100 MiB by default.</summary>
public sealed record FileLimits(long MaxFileSize = FileLimits.DefaultMaxFileSize)
{
    public const long DefaultMaxFileSize = 104_857_600;
}

/// <summary>A file's current content and its earlier versions, newest first.</summary>
public sealed record FileVersions(FileRecord File, IReadOnlyList<FileVersionRecord> Earlier);

/// <summary>
/// Files: uploads (new files or new versions), reads, rename, move, copy, delete to trash and versions.
/// The user's <c>storageUsed</c> changes only here and in <see cref="TrashService"/>, always by the exact size of a
/// file record or version created or purged, and blob references follow the same records (see <see cref="BlobStore"/>).
/// No MongoDB transactions exist, so each operation orders its steps so that a crash leaves at worst a counted
/// reference too many (content kept a little longer), never content lost or bytes counted twice.
/// </summary>
public sealed class FileService(
    INodeStore nodes,
    IFileVersionStore versions,
    IUserStore users,
    BlobStore blobs,
    Outbox outbox,
    ListingCache listings,
    AuditLog audit,
    FileLimits limits,
    TimeProvider time)
{
    private const int MaxPlacementAttempts = 8;

    public long MaxFileSize => limits.MaxFileSize;

    /// <summary>
    /// A plain upload: streamed to a staging file while hashed (never held in memory), then quota is reserved for its
    /// exact size and it is placed. <paramref name="declaredLength"/> (the request's length, when known) lets an upload
    /// that cannot fit fail before a byte is read.
    /// </summary>
    public async Task<FileRecord> UploadAsync(string ownerId, string? folderId, string? name, string mimeType, NameConflictPolicy conflict,
        Stream content, long? declaredLength, ClientInfo client, CancellationToken cancellationToken)
    {
        var validName = ValidName(name);
        var folder = await ResolveFolderAsync(ownerId, folderId, cancellationToken);
        if (declaredLength is { } length)
        {
            if (length > limits.MaxFileSize)
            {
                throw new PayloadTooLargeException(limits.MaxFileSize);
            }

            await EnsureRoomAsync(ownerId, length, cancellationToken);
        }

        using var staged = await blobs.StageAsync(content, limits.MaxFileSize, cancellationToken);
        await ReserveAsync(ownerId, staged.Size, cancellationToken);
        try
        {
            return await CommitAsync(ownerId, folder, validName, mimeType, conflict, staged, client, cancellationToken);
        }
        catch
        {
            await users.AdjustStorageUsedAsync(ownerId, -staged.Size, time.GetUtcNow(), CancellationToken.None);
            throw;
        }
    }

    /// <summary>Fails with 507 now if <paramref name="bytes"/> more cannot fit in the user's quota.</summary>
    public async Task EnsureRoomAsync(string ownerId, long bytes, CancellationToken cancellationToken)
    {
        var user = await users.GetByIdAsync(ownerId, cancellationToken) ?? throw new NotFoundException("User");
        if (user.StorageUsed + bytes > user.StorageQuota)
        {
            throw new QuotaExceededException(bytes, user.StorageQuota - user.StorageUsed);
        }
    }

    /// <summary>Reserves quota atomically (two parallel uploads cannot both squeeze into the last free bytes).</summary>
    public async Task ReserveAsync(string ownerId, long bytes, CancellationToken cancellationToken)
    {
        if (!await users.TryReserveStorageAsync(ownerId, bytes, time.GetUtcNow(), cancellationToken))
        {
            var user = await users.GetByIdAsync(ownerId, cancellationToken);
            throw new QuotaExceededException(bytes, user is null ? 0 : user.StorageQuota - user.StorageUsed);
        }
    }

    /// <summary>
    /// Places staged content whose size is already reserved: into the store (one reference), then as a new file or a
    /// new version, then announces it on <c>file.upload</c> through the outbox. On failure the reference is released;
    /// the caller gives the reservation back.
    /// </summary>
    public async Task<FileRecord> CommitAsync(string ownerId, string? folderId, string name, string mimeType, NameConflictPolicy conflict,
        StagedBlob staged, ClientInfo client, CancellationToken cancellationToken)
    {
        await blobs.CommitAsync(staged, cancellationToken);
        FileRecord file;
        bool replaced;
        try
        {
            (file, replaced) = await PlaceAsync(ownerId, folderId, name, mimeType, conflict, staged.Sha256, staged.Size, cancellationToken);
        }
        catch
        {
            await blobs.ReleaseAsync(staged.Sha256, CancellationToken.None);
            throw;
        }

        await AnnounceAsync(file);
        await listings.InvalidateAsync(ownerId, folderId);
        await audit.RecordAsync(ownerId, AuditActions.FileUpload, file.Id, client, CancellationToken.None, new Dictionary<string, string>
        {
            ["name"] = file.Name,
            ["size"] = file.Size.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["newVersion"] = replaced ? "true" : "false",
        });
        return file;
    }

    public async Task<FileRecord> GetAsync(string ownerId, string id, CancellationToken cancellationToken)
        => await nodes.GetAsync(ownerId, id, cancellationToken) is FileRecord { IsTrashed: false } file
            ? file
            : throw new NotFoundException("File");

    public async Task<Page<NodeRecord>> ListAsync(string ownerId, string? folderId, NodeListQuery query, CancellationToken cancellationToken)
    {
        var folder = await ResolveFolderAsync(ownerId, folderId, cancellationToken);
        var filesOnly = query with { Type = NodeType.File };
        return await listings.GetOrLoadAsync(ownerId, folder, filesOnly, () => nodes.ListChildrenAsync(ownerId, folder, filesOnly, cancellationToken));
    }

    /// <summary>Renames and/or moves a file; <paramref name="moveTo"/> null to stay, "root" for the top.</summary>
    public async Task<FileRecord> UpdateAsync(string ownerId, string id, string? newName, string? moveTo, ClientInfo client, CancellationToken cancellationToken)
    {
        var file = await GetAsync(ownerId, id, cancellationToken);
        var name = newName is null ? file.Name : ValidName(newName);
        var parent = moveTo is null ? file.ParentId : await ResolveFolderAsync(ownerId, moveTo, cancellationToken);
        if (name == file.Name && parent == file.ParentId)
        {
            return file;
        }

        NodeRecord? updated;
        try
        {
            updated = await nodes.RenameOrMoveAsync(ownerId, id, name, parent, time.GetUtcNow(), cancellationToken);
        }
        catch (MetadataConflictException)
        {
            throw NameTaken(name);
        }

        var result = updated as FileRecord ?? throw new NotFoundException("File");
        await listings.InvalidateAsync(ownerId, file.ParentId, parent);
        if (name != file.Name)
        {
            await audit.RecordAsync(ownerId, AuditActions.FileRename, id, client, cancellationToken,
                new Dictionary<string, string> { ["name"] = name, ["previousName"] = file.Name });
        }

        if (parent != file.ParentId)
        {
            await audit.RecordAsync(ownerId, AuditActions.FileMove, id, client, cancellationToken,
                new Dictionary<string, string> { ["name"] = name, ["from"] = file.ParentId ?? FolderService.RootId, ["to"] = parent ?? FolderService.RootId });
        }

        return result;
    }

    /// <summary>
    /// A new file with the same content (no bytes copied: one more reference on the blob), counted in full against the
    /// quota. Without a name, the copy takes the original's name, or a free numbered one where that is taken.
    /// </summary>
    public async Task<FileRecord> CopyAsync(string ownerId, string id, string? toFolderId, string? name, ClientInfo client, CancellationToken cancellationToken)
    {
        var source = await GetAsync(ownerId, id, cancellationToken);
        var folder = toFolderId is null ? source.ParentId : await ResolveFolderAsync(ownerId, toFolderId, cancellationToken);
        var explicitName = name is not null;
        var targetName = explicitName ? ValidName(name) : source.Name;

        await ReserveAsync(ownerId, source.Size, cancellationToken);
        await blobs.AddReferenceAsync(source.Sha256, source.Size, cancellationToken);
        try
        {
            for (var attempt = 0; attempt < MaxPlacementAttempts; attempt++)
            {
                var candidate = explicitName ? targetName : await FreeNameAsync(ownerId, folder, targetName, cancellationToken);
                // Same content, so what processing found about it holds for the copy too.
                var copy = NewFile(ownerId, folder, candidate, source.Sha256, source.Size, source.MimeType) with
                {
                    Status = source.Status,
                    StatusReason = source.StatusReason,
                    Media = source.Media,
                };
                try
                {
                    await nodes.CreateAsync(copy, cancellationToken);
                }
                catch (MetadataConflictException) when (!explicitName)
                {
                    continue;
                }
                catch (MetadataConflictException)
                {
                    throw NameTaken(candidate);
                }

                if (copy.Status == FileStatus.Processing)
                {
                    // The source's processing is under way and will only record its results on the source: the copy
                    // gets its own run, which finds the products already made for this content and finishes at once.
                    await AnnounceAsync(copy);
                }

                await listings.InvalidateAsync(ownerId, folder);
                await audit.RecordAsync(ownerId, AuditActions.FileCopy, copy.Id, client, cancellationToken,
                    new Dictionary<string, string> { ["from"] = source.Id, ["name"] = candidate });
                return copy;
            }

            throw NameTaken(targetName);
        }
        catch
        {
            await blobs.ReleaseAsync(source.Sha256, CancellationToken.None);
            await users.AdjustStorageUsedAsync(ownerId, -source.Size, time.GetUtcNow(), CancellationToken.None);
            throw;
        }
    }

    /// <summary>To the trash: it still counts against the quota until purged.</summary>
    public async Task DeleteAsync(string ownerId, string id, ClientInfo client, CancellationToken cancellationToken)
    {
        var file = await GetAsync(ownerId, id, cancellationToken);
        await nodes.TrashAsync(ownerId, id, time.GetUtcNow(), cancellationToken);
        await listings.InvalidateAsync(ownerId, file.ParentId);
        await audit.RecordAsync(ownerId, AuditActions.FileDelete, id, client, cancellationToken, new Dictionary<string, string> { ["name"] = file.Name });
    }

    public async Task<FileVersions> ListVersionsAsync(string ownerId, string id, CancellationToken cancellationToken)
    {
        var file = await GetAsync(ownerId, id, cancellationToken);
        return new FileVersions(file, await versions.ListAsync(ownerId, id, cancellationToken));
    }

    /// <summary>
    /// Makes an earlier version current again; the content it replaces becomes a version in turn, so nothing is lost
    /// and the usage does not change.
    /// </summary>
    public async Task<FileRecord> RestoreVersionAsync(string ownerId, string fileId, string versionId, ClientInfo client, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxPlacementAttempts; attempt++)
        {
            var file = await GetAsync(ownerId, fileId, cancellationToken);
            var version = await versions.GetAsync(ownerId, versionId, cancellationToken);
            if (version is null || version.FileId != fileId)
            {
                throw new NotFoundException("Version");
            }

            // The restored content gets the file record's reference; the version record keeps its own until deleted below.
            await blobs.AddReferenceAsync(version.Sha256, version.Size, cancellationToken);
            var demoted = await DemoteCurrentAsync(file, cancellationToken);
            var restored = await nodes.ReplaceContentAsync(ownerId, fileId, file.Sha256, file.CurrentVersionId,
                version.Sha256, version.Size, version.MimeType, Ids.New(), time.GetUtcNow(), cancellationToken);
            if (restored is null)
            {
                await UndoDemotionAsync(ownerId, demoted, cancellationToken);
                await blobs.ReleaseAsync(version.Sha256, CancellationToken.None);
                continue;
            }

            await blobs.ReleaseAsync(file.Sha256, CancellationToken.None);
            if (await versions.DeleteAsync(ownerId, versionId, CancellationToken.None) is { } removed)
            {
                await blobs.ReleaseAsync(removed.Sha256, CancellationToken.None);
            }

            await AnnounceAsync(restored);
            await listings.InvalidateAsync(ownerId, restored.ParentId);
            await audit.RecordAsync(ownerId, AuditActions.VersionRestore, fileId, client, cancellationToken,
                new Dictionary<string, string> { ["version"] = versionId });
            return restored;
        }

        throw new ConflictException("version", "The file kept changing while its version was being restored. Try again.");
    }

    private async Task<(FileRecord File, bool Replaced)> PlaceAsync(string ownerId, string? folderId, string name, string mimeType,
        NameConflictPolicy conflict, string sha256, long size, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxPlacementAttempts; attempt++)
        {
            var existing = await nodes.FindChildByNameAsync(ownerId, folderId, name, cancellationToken);
            if (existing is FileRecord current && conflict == NameConflictPolicy.Version)
            {
                var demoted = await DemoteCurrentAsync(current, cancellationToken);
                var replaced = await nodes.ReplaceContentAsync(ownerId, current.Id, current.Sha256, current.CurrentVersionId,
                    sha256, size, mimeType, Ids.New(), time.GetUtcNow(), cancellationToken);
                if (replaced is null)
                {
                    await UndoDemotionAsync(ownerId, demoted, cancellationToken);
                    continue;
                }

                await blobs.ReleaseAsync(current.Sha256, CancellationToken.None);
                return (replaced, true);
            }

            if (existing is not null && conflict != NameConflictPolicy.Rename)
            {
                throw NameTaken(name);
            }

            var candidate = existing is null ? name : await FreeNameAsync(ownerId, folderId, name, cancellationToken);
            var file = NewFile(ownerId, folderId, candidate, sha256, size, mimeType);
            try
            {
                await nodes.CreateAsync(file, cancellationToken);
                return (file, false);
            }
            catch (MetadataConflictException)
            {
                // Someone took the name between the look-up and the insert: decide again.
            }
        }

        throw NameTaken(name);
    }

    /// <summary>Tells the worker (file.upload, through the outbox: never lost) that the file has content to process.</summary>
    private async Task AnnounceAsync(FileRecord file)
    {
        var message = await outbox.AddAsync(QueueNames.FileUpload,
            new FileUploaded(file.Id, file.OwnerId, file.Sha256, file.Size, file.MimeType, file.CurrentVersionId!, file.UpdatedAt), CancellationToken.None);
        await outbox.TryPublishAsync(message, CancellationToken.None);
    }

    private FileRecord NewFile(string ownerId, string? folderId, string name, string sha256, long size, string mimeType)
    {
        var now = time.GetUtcNow();
        return new FileRecord
        {
            Id = Ids.New(),
            OwnerId = ownerId,
            ParentId = folderId,
            Name = name,
            CreatedAt = now,
            UpdatedAt = now,
            Size = size,
            MimeType = mimeType,
            Sha256 = sha256,
            Status = FileStatus.Processing,
            CurrentVersionId = Ids.New(),
        };
    }

    /// <summary>The file's current content becomes a version with a reference of its own (added before the record, so never too few).</summary>
    private async Task<FileVersionRecord> DemoteCurrentAsync(FileRecord file, CancellationToken cancellationToken)
    {
        await blobs.AddReferenceAsync(file.Sha256, file.Size, cancellationToken);
        var version = new FileVersionRecord(file.CurrentVersionId ?? Ids.New(), file.Id, file.OwnerId, file.Sha256, file.Size, file.MimeType, file.UpdatedAt);
        await versions.AddAsync(version, cancellationToken);
        return version;
    }

    private async Task UndoDemotionAsync(string ownerId, FileVersionRecord version, CancellationToken cancellationToken)
    {
        if (await versions.DeleteAsync(ownerId, version.Id, cancellationToken) is not null)
        {
            await blobs.ReleaseAsync(version.Sha256, CancellationToken.None);
        }
    }

    private async Task<string> FreeNameAsync(string ownerId, string? folderId, string name, CancellationToken cancellationToken)
    {
        if (await nodes.FindChildByNameAsync(ownerId, folderId, name, cancellationToken) is null)
        {
            return name;
        }

        for (var n = 1; n < 10_000; n++)
        {
            var candidate = FileNaming.Numbered(name, n);
            if (await nodes.FindChildByNameAsync(ownerId, folderId, candidate, cancellationToken) is null)
            {
                return candidate;
            }
        }

        throw NameTaken(name);
    }

    private async Task<string?> ResolveFolderAsync(string ownerId, string? id, CancellationToken cancellationToken)
    {
        if (FolderService.IsRoot(id) || string.IsNullOrEmpty(id))
        {
            return null;
        }

        return await nodes.GetAsync(ownerId, id, cancellationToken) is FolderRecord { IsTrashed: false } folder
            ? folder.Id
            : throw new NotFoundException("Folder");
    }

    private static string ValidName(string? name)
        => NodeNames.TryNormalize(name, out var valid, out var error) ? valid : throw ValidationFailedException.For("name", error);

    private static ConflictException NameTaken(string name) => new("name", $"A file or folder named '{name}' already exists here.");
}
