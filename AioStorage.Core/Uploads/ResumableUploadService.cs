using System.Security.Cryptography;
using AioStorage.Core.Accounts;
using AioStorage.Core.Blobs;
using AioStorage.Core.Errors;
using AioStorage.Core.Files;
using AioStorage.Core.Folders;
using AioStorage.Core.Metadata;
using Microsoft.Extensions.Logging;

namespace AioStorage.Core.Uploads;

/// <summary>A session as a HEAD or status request sees it; <see cref="Finishing"/> while another request commits it.</summary>
public sealed record UploadView(UploadSessionRecord Session, bool Finishing);

/// <summary>Where an append left the upload; <see cref="Interrupted"/> when the body broke off before its end.</summary>
public sealed record AppendResult(UploadSessionRecord Session, bool Interrupted);

/// <summary>
/// Resumable (tus) uploads: quota is reserved for the whole length when the upload is created, bytes are appended to
/// a data file on the storage volume, and the request that brings the last byte hands the file to the blob store and
/// places it as a file (<see cref="FileService.CommitAsync"/>), which spends the reservation.
/// <para>
/// Every change to an upload's bytes or state happens under its lock (<see cref="UploadFiles.TryLock"/>), re-reading
/// the session once the lock is held; the offset moves only by compare-and-set, so even a writer that somehow went
/// without the lock can never advance it. State changes come before the side effects they license (a status change
/// before the reservation is given back, the reservation before the data file is deleted), so a crash between steps
/// leaves at worst bytes counted a little too long, never bytes counted too little:
/// </para>
/// <list type="bullet">
/// <item>after the reservation, before the session exists: the reservation stays counted (nothing refers to it);</item>
/// <item>after the session, before its data file: the data file is made again by the first append (nothing was stored);</item>
/// <item>during an append: bytes past the recorded offset were never acknowledged and are cut off by the next append;</item>
/// <item>after the last byte, before the hand-over: the next HEAD, status request or append, or at the latest the
/// cleaner when the upload would expire, finishes the commit;</item>
/// <item>after the hand-over, before the session is marked completed: the data file is gone and it cannot be told
/// whether the file was placed, so the session is terminated and the reservation kept (it paid for the file, or for
/// bytes housekeeping deletes from staging within a day); the client starts again;</item>
/// <item>after a status change, before the clean-up: the cleaner deletes what is left of finished sessions after a day.</item>
/// </list>
/// </summary>
public sealed partial class ResumableUploadService(
    IUploadSessionStore sessions,
    INodeStore nodes,
    IUserStore users,
    FileService files,
    BlobStore blobs,
    UploadFiles uploadFiles,
    UploadHashes hashes,
    ResumableUploadOptions options,
    TimeProvider time,
    ILogger<ResumableUploadService> logger)
{
    private const int CleanerBatch = 100;

    public long MaxSize => options.MaxSize;

    /// <summary>
    /// A new upload of <paramref name="length"/> bytes with its quota reserved (507 when it cannot fit) and an empty
    /// data file. A zero-length upload is complete at once.
    /// </summary>
    public async Task<UploadSessionRecord> CreateAsync(string ownerId, long length, UploadMetadata metadata, string mimeType,
        ClientInfo client, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length > options.MaxSize)
        {
            throw new ResumableUploadException(UploadRefusal.TooLarge, $"An upload can be at most {options.MaxSize} bytes (Tus-Max-Size).");
        }

        var description = UploadDescription.From(metadata);
        var folderId = await ResolveFolderAsync(ownerId, description.FolderId, cancellationToken);
        // Known clashes are refused before a byte is sent: any name with "fail", a folder's name with "version" (only a file can take a new version).
        var existing = description.Conflict == NameConflictPolicy.Rename
            ? null
            : await nodes.FindChildByNameAsync(ownerId, folderId, description.FileName, cancellationToken);
        if (existing is not null && (description.Conflict == NameConflictPolicy.Fail || existing is FolderRecord))
        {
            throw new ConflictException("name", $"A file or folder named '{description.FileName}' already exists here.");
        }

        await files.ReserveAsync(ownerId, length, cancellationToken);
        var now = time.GetUtcNow();
        var session = new UploadSessionRecord(Ids.New(), ownerId, folderId, description.FileName, mimeType, length, 0, UploadStatus.Active,
            null, metadata.Encoded, now, now, now + options.Lifetime);
        try
        {
            await sessions.CreateAsync(session, cancellationToken);
        }
        catch
        {
            await users.AdjustStorageUsedAsync(ownerId, -length, time.GetUtcNow(), CancellationToken.None);
            throw;
        }

        uploadFiles.CreateEmpty(session.Id);
        if (length > 0)
        {
            return session;
        }

        using var held = uploadFiles.TryLock(session.Id) ?? throw Locked();
        return await FinishLockedAsync(session, client);
    }

    /// <summary>
    /// The session, settled first: an expired one is discarded and a full one committed, when no other request is at
    /// work on it. Terminated and expired sessions are returned too (HEAD answers 410 for them, the status route says so).
    /// </summary>
    public async Task<UploadView> GetAsync(string ownerId, string id, ClientInfo client, CancellationToken cancellationToken)
    {
        var session = await FindAsync(ownerId, id, cancellationToken);
        if (session.Status != UploadStatus.Active || !(IsFull(session) || IsExpired(session)))
        {
            return new UploadView(session, Finishing: false);
        }

        using var held = uploadFiles.TryLock(id);
        if (held is null)
        {
            return new UploadView(session, Finishing: IsFull(session));
        }

        var fresh = await sessions.GetAsync(ownerId, id, CancellationToken.None) ?? throw NotFound();
        return new UploadView(await SettleLockedAsync(fresh, client), Finishing: false);
    }

    /// <summary>
    /// Appends <paramref name="body"/> at <paramref name="offset"/>, streamed to the data file and flushed to disk before
    /// the offset moves. The append that reaches the upload's length commits it. A body that breaks off keeps what
    /// arrived (unless a checksum was given: then nothing of it is kept, as it cannot be verified); a body longer than
    /// what is left, or one that does not match <paramref name="checksum"/>, keeps nothing.
    /// </summary>
    public async Task<AppendResult> AppendAsync(string ownerId, string id, long offset, Stream body, long? declaredLength, UploadChecksum? checksum,
        ClientInfo client, CancellationToken cancellationToken)
    {
        var session = await FindAsync(ownerId, id, cancellationToken);
        EnsureAppendable(session, offset, declaredLength);
        using var held = uploadFiles.TryLock(id) ?? throw Locked();
        session = await sessions.GetAsync(ownerId, id, CancellationToken.None) ?? throw NotFound();
        if (session.Status == UploadStatus.Active && IsExpired(session) && !IsFull(session))
        {
            await AbandonLockedAsync(session, UploadStatus.Expired);
            throw Gone();
        }

        EnsureAppendable(session, offset, declaredLength);
        if (session.Status == UploadStatus.Completed)
        {
            return new AppendResult(session, Interrupted: false);
        }

        if (IsFull(session))
        {
            return new AppendResult(await FinishLockedAsync(session, client), Interrupted: false);
        }

        var previous = session.Offset;
        long written;
        bool interrupted;
        // Null when this process did not see every chunk before this one: the commit then hashes the data file.
        var running = hashes.Take(id, previous);
        await using (var data = uploadFiles.OpenForAppend(id, previous))
        {
            if (data is null)
            {
                running?.Dispose();
                await AbandonLockedAsync(session, UploadStatus.Terminated);
                throw new ResumableUploadException(UploadRefusal.Gone, "The bytes received so far were lost. Start a new upload.");
            }

            try
            {
                (written, interrupted) = await WriteAsync(data, body, session.Length - previous, checksum, running, uploadFiles.DirectWrites, cancellationToken);
            }
            catch
            {
                running?.Dispose();
                throw;
            }
        }

        if (written == 0 && interrupted && checksum is not null)
        {
            // The bytes were hashed as they came, then refused as unverifiable: the running hash no longer matches the file.
            running?.Dispose();
            running = null;
        }

        var now = time.GetUtcNow();
        var advanced = await sessions.AdvanceAsync(id, previous, previous + written, now + options.Lifetime, now, CancellationToken.None);
        if (advanced is null)
        {
            running?.Dispose();
            // Not reachable while the lock works (the offset and the status change only under it); should it not, this
            // writer is the stale one and must not touch bytes another may have acknowledged.
            var current = await sessions.GetAsync(ownerId, id, CancellationToken.None);
            throw current is { Status: UploadStatus.Active }
                ? new ResumableUploadException(UploadRefusal.OffsetMismatch, $"The upload moved on to {current.Offset} meanwhile.")
                : Gone();
        }

        if (!IsFull(advanced))
        {
            if (running is not null)
            {
                hashes.Keep(id, advanced.Offset, running);
            }

            return new AppendResult(advanced, interrupted);
        }

        // A body that broke off after its last byte still completed the upload.
        string? sha256 = null;
        if (running is not null)
        {
            sha256 = Convert.ToHexStringLower(running.GetHashAndReset());
            running.Dispose();
        }

        return new AppendResult(await FinishLockedAsync(advanced, client, sha256), Interrupted: false);
    }

    /// <summary>
    /// Ends an upload (tus termination): an unfinished one loses its bytes and gives its reservation back; a completed
    /// one only stops being an upload (the file it made stays).
    /// </summary>
    public async Task TerminateAsync(string ownerId, string id, CancellationToken cancellationToken)
    {
        var session = await FindAsync(ownerId, id, cancellationToken);
        if (session.Status is UploadStatus.Terminated or UploadStatus.Expired)
        {
            throw Gone();
        }

        using var held = uploadFiles.TryLock(id) ?? throw Locked();
        session = await sessions.GetAsync(ownerId, id, CancellationToken.None) ?? throw NotFound();
        switch (session.Status)
        {
            case UploadStatus.Active:
                await AbandonLockedAsync(session, UploadStatus.Terminated);
                break;
            case UploadStatus.Completed:
                await sessions.SetStatusAsync(id, UploadStatus.Completed, UploadStatus.Terminated, null, time.GetUtcNow(), CancellationToken.None);
                uploadFiles.Delete(id);
                break;
            default:
                throw Gone();
        }
    }

    /// <summary>
    /// Settles active uploads past their expiry (the cleaner): a full one is committed, any other discarded with its
    /// reservation given back. Uploads a request is working on are left for the next round. Returns how many were settled.
    /// </summary>
    public async Task<int> SettleExpiredAsync(ClientInfo client, CancellationToken cancellationToken)
    {
        var settled = 0;
        foreach (var expired in await sessions.ListExpiredAsync(time.GetUtcNow(), CleanerBatch, cancellationToken))
        {
            using var held = uploadFiles.TryLock(expired.Id);
            if (held is null || await sessions.GetAsync(expired.OwnerId, expired.Id, cancellationToken) is not { } fresh)
            {
                continue;
            }

            try
            {
                var after = await SettleLockedAsync(fresh, client);
                if (after.Status != UploadStatus.Active)
                {
                    settled++;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSettleFailed(logger, expired.Id, ex);
            }
        }

        return settled;
    }

    /// <summary>Deletes finished sessions older than a day, with whatever files they left behind. Returns how many.</summary>
    public async Task<int> DeleteFinishedAsync(CancellationToken cancellationToken)
    {
        var finished = await sessions.ListFinishedBeforeAsync(time.GetUtcNow() - ResumableUploadOptions.FinishedRetention, CleanerBatch, cancellationToken);
        foreach (var session in finished)
        {
            uploadFiles.Delete(session.Id);
            await sessions.DeleteAsync(session.Id, cancellationToken);
        }

        return finished.Count;
    }

    private static async Task<(long Written, bool Interrupted)> WriteAsync(FileStream data, Stream body, long remaining, UploadChecksum? checksum,
        IncrementalHash? running, bool direct, CancellationToken cancellationToken)
    {
        var start = data.Position;
        using var hash = checksum?.CreateHash();
        try
        {
            // However the body breaks off (reset, abort, timeout, a short body), what arrived before it is written and
            // stays usable. Asking for one byte more than fits notices an over-long body without reading on.
            var copied = await ContentPump.CopyAsync(body, data, remaining, [hash, running], direct, cancellationToken);
            var (written, tooLong, interrupted) = (copied.Written, copied.OverLimit, copied.ReadError is not null);
            var rejected = tooLong || (checksum is not null && (interrupted || !checksum.Matches(hash!)));
            if (rejected)
            {
                data.SetLength(start);
            }

            await data.FlushAsync(CancellationToken.None);
            data.Flush(flushToDisk: true);
            if (tooLong)
            {
                throw new ResumableUploadException(UploadRefusal.TooLarge, $"The body is longer than the {remaining} bytes this upload has left; none of it was kept.");
            }

            if (rejected && !interrupted)
            {
                throw new ResumableUploadException(UploadRefusal.ChecksumMismatch, "The body does not match Upload-Checksum; none of it was kept.");
            }

            return (rejected ? 0 : written, interrupted);
        }
        catch (Exception ex) when (ex is not ResumableUploadException)
        {
            // A failed write (a full disk) keeps nothing of this request: the offset stays where it was acknowledged.
            data.SetLength(start);
            throw;
        }
    }

    private async Task<UploadSessionRecord> SettleLockedAsync(UploadSessionRecord session, ClientInfo client)
    {
        if (session.Status != UploadStatus.Active)
        {
            return session;
        }

        if (IsFull(session))
        {
            try
            {
                return await FinishLockedAsync(session, client);
            }
            catch (DomainException)
            {
                return await sessions.GetAsync(session.OwnerId, session.Id, CancellationToken.None) ?? throw NotFound();
            }
        }

        return IsExpired(session) ? await AbandonLockedAsync(session, UploadStatus.Expired) : session;
    }

    /// <summary>
    /// Commits a full upload whose lock is held: its data file to the blob store, then a file in its folder.
    /// <paramref name="sha256"/> is the content's hash when this process hashed every byte as it arrived.
    /// </summary>
    private async Task<UploadSessionRecord> FinishLockedAsync(UploadSessionRecord session, ClientInfo client, string? sha256 = null)
    {
        hashes.Forget(session.Id);
        var dataPath = uploadFiles.DataPath(session.Id);
        if (!File.Exists(dataPath))
        {
            LogLostAfterHandOver(logger, session.Id, session.Length);
            await AbandonLockedAsync(session, UploadStatus.Terminated);
            throw new ResumableUploadException(UploadRefusal.Gone, "This upload was interrupted while it was being stored. Start a new upload.");
        }

        var conflict = UploadDescription.From(UploadMetadata.FromStored(session.Metadata)).Conflict;
        if (session.FolderId is not null && await nodes.GetAsync(session.OwnerId, session.FolderId, CancellationToken.None) is not FolderRecord { IsTrashed: false })
        {
            await AbandonLockedAsync(session, UploadStatus.Terminated);
            throw new NotFoundException("Folder");
        }

        // Housekeeping takes staging files that look a day old for leftovers of dead uploads, and the last byte of this
        // one may have arrived that long ago (a commit the cleaner finishes): the file must not carry its old age along.
        File.SetLastWriteTimeUtc(dataPath, time.GetUtcNow().UtcDateTime);

        // A failure while hashing leaves the data file where it was, for the next request or the cleaner to try again.
        var staged = await blobs.StageExistingAsync(dataPath, sha256, CancellationToken.None);
        FileRecord file;
        using (staged)
        {
            try
            {
                file = await files.CommitAsync(session.OwnerId, session.FolderId, session.FileName, session.MimeType ?? "application/octet-stream",
                    conflict, staged, client, CancellationToken.None);
            }
            catch (DomainException)
            {
                // Refused before any file record was written (name taken, folder gone): CommitAsync released its blob
                // reference, and the reservation was spent on nothing.
                await AbandonLockedAsync(session, UploadStatus.Terminated, reservationUnspent: true);
                throw;
            }
            catch
            {
                // It may have failed after the file was placed (the outbox, the audit log): keep the reservation, never count too little.
                await AbandonLockedAsync(session, UploadStatus.Terminated);
                throw;
            }
        }

        var completed = await sessions.SetStatusAsync(session.Id, UploadStatus.Active, UploadStatus.Completed, file.Id, time.GetUtcNow(), CancellationToken.None)
            ?? session with { Status = UploadStatus.Completed, FileId = file.Id };
        uploadFiles.Delete(session.Id);
        return completed;
    }

    /// <summary>
    /// Ends an active upload whose lock is held as <paramref name="status"/> and gives its reservation back, unless it
    /// is full and its data file gone (the hand-over to the blob store may have placed the file that spent it).
    /// </summary>
    private async Task<UploadSessionRecord> AbandonLockedAsync(UploadSessionRecord session, UploadStatus status, bool reservationUnspent = false)
    {
        hashes.Forget(session.Id);
        var mayHaveBecomeAFile = !reservationUnspent && IsFull(session) && !File.Exists(uploadFiles.DataPath(session.Id));
        var now = time.GetUtcNow();
        var ended = await sessions.SetStatusAsync(session.Id, UploadStatus.Active, status, null, now, CancellationToken.None);
        if (ended is null)
        {
            return await sessions.GetAsync(session.OwnerId, session.Id, CancellationToken.None) ?? throw NotFound();
        }

        if (!mayHaveBecomeAFile)
        {
            await users.AdjustStorageUsedAsync(session.OwnerId, -session.Length, now, CancellationToken.None);
        }

        uploadFiles.Delete(session.Id);
        return ended;
    }

    private void EnsureAppendable(UploadSessionRecord session, long offset, long? declaredLength)
    {
        if (session.Status is UploadStatus.Terminated or UploadStatus.Expired || (session.Status == UploadStatus.Active && IsExpired(session) && !IsFull(session)))
        {
            throw Gone();
        }

        if (offset != session.Offset)
        {
            throw new ResumableUploadException(UploadRefusal.OffsetMismatch, $"The upload is at offset {session.Offset}, not {offset}. Ask with HEAD and resume from there.");
        }

        if (declaredLength > session.Length - session.Offset)
        {
            throw new ResumableUploadException(UploadRefusal.TooLarge, $"The body is longer than the {session.Length - session.Offset} bytes this upload has left.");
        }
    }

    private async Task<UploadSessionRecord> FindAsync(string ownerId, string id, CancellationToken cancellationToken)
        => UploadFiles.IsUploadId(id) && await sessions.GetAsync(ownerId, id, cancellationToken) is { } session ? session : throw NotFound();

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

    private bool IsExpired(UploadSessionRecord session) => time.GetUtcNow() >= session.ExpiresAt;

    private static bool IsFull(UploadSessionRecord session) => session.Offset == session.Length;

    private static NotFoundException NotFound() => new("Upload");

    private static ResumableUploadException Gone() => new(UploadRefusal.Gone, "This upload was terminated or has expired. Start a new upload.");

    private static ResumableUploadException Locked() => new(UploadRefusal.Locked, "Another request is writing to this upload. Try again in a moment.");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upload {UploadId} ({Length} bytes) lost its data file while being stored; terminated, its reservation kept")]
    private static partial void LogLostAfterHandOver(ILogger logger, string uploadId, long length);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not settle expired upload {UploadId}")]
    private static partial void LogSettleFailed(ILogger logger, string uploadId, Exception exception);
}
