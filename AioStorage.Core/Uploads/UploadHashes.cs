using System.Security.Cryptography;

namespace AioStorage.Core.Uploads;

/// <summary>
/// The SHA-256 of each resumable upload so far, kept in this process while its chunks arrive, so the request that
/// brings the last byte commits at once instead of reading the whole upload back to hash it (which, for a big file,
/// is the long "finalizing" pause other drives are known for). An entry is only used for the exact offset it covers:
/// a chunk taken by another replica, an api restart or a refused body leaves no matching entry, and the upload is then
/// hashed from its data file as before. The worker verifies every stored blob against its hash afterwards.
/// </summary>
public sealed class UploadHashes : IDisposable
{
    /// <summary>Uploads in progress at once whose hash is kept; beyond it the least recently used is dropped (and re-read later).</summary>
    public const int Capacity = 1024;

    private readonly Dictionary<string, (long Offset, IncrementalHash Hash, long Used)> entries = new(StringComparer.Ordinal);
    private long clock;

    /// <summary>The running hash of upload <paramref name="id"/> if it covers exactly its first <paramref name="offset"/> bytes; the entry leaves the cache.</summary>
    public IncrementalHash? Take(string id, long offset)
    {
        if (offset == 0)
        {
            Forget(id);
            return IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        }

        lock (entries)
        {
            if (!entries.Remove(id, out var entry))
            {
                return null;
            }

            if (entry.Offset == offset)
            {
                return entry.Hash;
            }

            entry.Hash.Dispose();
            return null;
        }
    }

    /// <summary>Keeps <paramref name="hash"/> as the hash of the first <paramref name="offset"/> bytes of upload <paramref name="id"/>.</summary>
    public void Keep(string id, long offset, IncrementalHash hash)
    {
        lock (entries)
        {
            if (entries.Remove(id, out var previous))
            {
                previous.Hash.Dispose();
            }

            if (entries.Count >= Capacity)
            {
                var oldest = entries.MinBy(e => e.Value.Used);
                entries.Remove(oldest.Key);
                oldest.Value.Hash.Dispose();
            }

            entries[id] = (offset, hash, ++clock);
        }
    }

    public void Forget(string id)
    {
        lock (entries)
        {
            if (entries.Remove(id, out var entry))
            {
                entry.Hash.Dispose();
            }
        }
    }

    public void Dispose()
    {
        lock (entries)
        {
            foreach (var entry in entries.Values)
            {
                entry.Hash.Dispose();
            }

            entries.Clear();
        }
    }
}
