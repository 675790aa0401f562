using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using AioStorage.Core.Configuration;
using AioStorage.Core.Errors;
using AioStorage.Core.Metadata;
using Microsoft.Extensions.Logging;

namespace AioStorage.Core.Blobs;

/// <summary>Content hashed and flushed to a staging file, not yet in the store. Disposing it deletes what was not committed.</summary>
public sealed class StagedBlob(string path, string sha256, long size) : IDisposable
{
    public string Path { get; } = path;

    /// <summary>Lower-case hex SHA-256 of the content.</summary>
    public string Sha256 { get; } = sha256;

    public long Size { get; } = size;

    internal bool Committed { get; set; }

    public void Dispose()
    {
        if (!Committed)
        {
            File.Delete(Path);
        }
    }
}

/// <summary>
/// Content addressed by SHA-256 under <c>STORAGE_PATH/blobs/ab/cd/abcd…</c>: written to a staging file while it is
/// hashed, flushed, then renamed into place, so a reader never sees half a blob. Identical content is stored once;
/// file records and versions hold references on it (<see cref="IBlobReferenceStore"/>), and orphans are collected
/// after a grace period. Paths are made only from hashes and generated ids: no user-given string ever becomes one.
/// </summary>
public sealed partial class BlobStore(StorageOptions storage, IBlobReferenceStore references, TimeProvider time, ILogger<BlobStore> logger)
{
    /// <summary>
    /// The buffer stored content is read through to hash it. Reads of 64-256 KiB keep a buffer in the CPU's cache
    /// (1 MiB L2 per core here) while it is hashed and still make only a few system calls per MiB.
    /// </summary>
    public const int BufferSize = 256 * 1024;

    private string BlobRoot => System.IO.Path.Combine(storage.Path, "blobs");

    private string StagingRoot => System.IO.Path.Combine(storage.Path, "staging");

    private string CollectingRoot => System.IO.Path.Combine(storage.Path, "collecting");

    /// <summary>
    /// Streams <paramref name="content"/> into a staging file while hashing it; more than <paramref name="maxBytes"/>
    /// stops the copy, deletes what was written and throws <see cref="PayloadTooLargeException"/>.
    /// </summary>
    public async Task<StagedBlob> StageAsync(Stream content, long maxBytes, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(StagingRoot);
        var path = System.IO.Path.Combine(StagingRoot, Ids.New());
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            PumpResult copied;
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous))
            {
                copied = await ContentPump.CopyAsync(content, file, maxBytes, [hash], storage.DirectWrites, cancellationToken);
                if (copied.ReadError is not null)
                {
                    ExceptionDispatchInfo.Throw(copied.ReadError);
                }

                if (copied.OverLimit)
                {
                    throw new PayloadTooLargeException(maxBytes);
                }

                await file.FlushAsync(cancellationToken);
                file.Flush(flushToDisk: true);
            }

            return new StagedBlob(path, Convert.ToHexStringLower(hash.GetHashAndReset()), copied.Written);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    /// <summary>
    /// Takes over a finished file on the same volume (a completed resumable upload) and stages it by renaming. The file
    /// is hashed where it lies unless the caller hashed every byte as it was written (<paramref name="knownSha256"/>).
    /// </summary>
    public async Task<StagedBlob> StageExistingAsync(string completedFile, string? knownSha256, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(StagingRoot);
        string sha256;
        long size;
        if (knownSha256 is not null)
        {
            sha256 = ValidHash(knownSha256);
            size = new FileInfo(completedFile).Length;
        }
        else
        {
            await using var file = new FileStream(completedFile, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
            size = file.Length;
            sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken));
        }

        var path = System.IO.Path.Combine(StagingRoot, Ids.New());
        File.Move(completedFile, path);
        return new StagedBlob(path, sha256, size);
    }

    /// <summary>
    /// Puts staged content into the store with one more reference on it. The reference is added first and the file
    /// placed second: the collector only deletes a blob whose reference count it can still delete at zero, so once
    /// the reference exists the content can no longer be collected under us (see <see cref="CollectOrphansAsync"/>).
    /// </summary>
    public async Task CommitAsync(StagedBlob staged, CancellationToken cancellationToken)
    {
        await references.AddReferenceAsync(staged.Sha256, staged.Size, time.GetUtcNow(), cancellationToken);
        var target = PathFor(staged.Sha256);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
        if (File.Exists(target))
        {
            File.Delete(staged.Path);
        }
        else
        {
            try
            {
                File.Move(staged.Path, target);
            }
            catch (IOException) when (File.Exists(target))
            {
                // Another upload of the same content won the rename: same bytes, so ours is redundant.
                File.Delete(staged.Path);
            }
        }

        staged.Committed = true;
    }

    /// <summary>Another reference on content already in the store (a copy of a file): no bytes move.</summary>
    public Task AddReferenceAsync(string sha256, long size, CancellationToken cancellationToken)
        => references.AddReferenceAsync(ValidHash(sha256), size, time.GetUtcNow(), cancellationToken);

    public Task<long> ReleaseAsync(string sha256, CancellationToken cancellationToken)
        => references.ReleaseReferenceAsync(ValidHash(sha256), time.GetUtcNow(), cancellationToken);

    public bool Exists(string sha256) => File.Exists(PathFor(sha256));

    /// <summary>Opens the content for reading from any position, without buffering it in memory.</summary>
    public FileStream OpenRead(string sha256)
        => new(PathFor(sha256), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 0, FileOptions.Asynchronous | FileOptions.SequentialScan);

    public string PathFor(string sha256)
    {
        var hash = ValidHash(sha256);
        return System.IO.Path.Combine(BlobRoot, hash[..2], hash[2..4], hash);
    }

    /// <summary>
    /// Deletes blobs that have had no reference for <paramref name="grace"/>. Each is first renamed aside, then its record
    /// deleted only if still unreferenced; if an upload re-referenced it meanwhile, the file is put back (or the upload's
    /// own copy is already there). Returns how many were deleted.
    /// </summary>
    public async Task<int> CollectOrphansAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - grace;
        var deleted = 0;
        Directory.CreateDirectory(CollectingRoot);
        foreach (var orphan in await references.ListOrphansAsync(cutoff, 500, cancellationToken))
        {
            var path = PathFor(orphan.Sha256);
            var aside = System.IO.Path.Combine(CollectingRoot, $"{orphan.Sha256}.{Ids.New()}");
            var moved = false;
            try
            {
                File.Move(path, aside);
                moved = true;
            }
            catch (FileNotFoundException)
            {
            }
            catch (DirectoryNotFoundException)
            {
            }

            if (await references.DeleteIfOrphanedAsync(orphan.Sha256, cutoff, cancellationToken))
            {
                if (moved)
                {
                    File.Delete(aside);
                }

                deleted++;
                LogCollected(logger, orphan.Sha256, orphan.Size);
            }
            else if (moved)
            {
                if (File.Exists(path))
                {
                    File.Delete(aside);
                }
                else
                {
                    File.Move(aside, path);
                }
            }
        }

        return deleted;
    }

    /// <summary>Staging files older than <paramref name="age"/> belong to uploads that died mid-way.</summary>
    public int DeleteAbandonedStaging(TimeSpan age)
    {
        if (!Directory.Exists(StagingRoot))
        {
            return 0;
        }

        var cutoff = time.GetUtcNow() - age;
        var count = 0;
        foreach (var file in new DirectoryInfo(StagingRoot).EnumerateFiles())
        {
            if (file.LastWriteTimeUtc < cutoff.UtcDateTime)
            {
                file.Delete();
                count++;
            }
        }

        return count;
    }

    private static string ValidHash(string sha256)
        => sha256.Length == 64 && sha256.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f')
            ? sha256
            : throw new ArgumentException("A blob is addressed by 64 lower-case hex digits.", nameof(sha256));

    [LoggerMessage(Level = LogLevel.Information, Message = "Collected orphaned blob {Sha256} ({Size} bytes)")]
    private static partial void LogCollected(ILogger logger, string sha256, long size);
}
