using AioStorage.Core.Configuration;

namespace AioStorage.Core.Uploads;

/// <summary>
/// Where resumable uploads keep their bytes while they arrive: <c>STORAGE_PATH/uploads/{id}</c>, on the volume of the
/// blob store so a finished upload is staged by a rename, not a copy. Paths are made only from generated ids.
/// <para>
/// Each upload also has a lock file, <c>{id}.lock</c>. Opening it with <see cref="FileShare.None"/> takes an exclusive
/// <c>flock</c> on Linux, which every api process on the volume honours, and it goes away with the process that held
/// it, so a crashed writer never leaves an upload locked. The lock is a file of its own rather than the data file
/// because it must outlive the data file's hand-over to the blob store, which opens that file itself. Lock files are
/// deleted only once their session is finished: whoever gets a lock re-reads the session first, so a late opener of a
/// deleted lock file only ever finds a finished upload.
/// </para>
/// </summary>
public sealed class UploadFiles(StorageOptions storage)
{
    public string Root => Path.Combine(storage.Path, "uploads");

    /// <summary>Whether arriving bytes may be written straight to the disk (<see cref="StorageOptions.DirectWrites"/>).</summary>
    public bool DirectWrites => storage.DirectWrites;

    /// <summary>Upload ids are <see cref="Ids"/>: 32 lower-case hex digits. Anything else never reaches the file system.</summary>
    public static bool IsUploadId(string id) => id.Length == 32 && id.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    public string DataPath(string id) => Path.Combine(Root, ValidId(id));

    public void CreateEmpty(string id)
    {
        Directory.CreateDirectory(Root);
        using var _ = new FileStream(DataPath(id), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None);
    }

    /// <summary>
    /// Opens the data file to append at <paramref name="offset"/>, cutting off anything past it (bytes a crashed
    /// writer stored but never acknowledged). Null when fewer than <paramref name="offset"/> bytes are there: they are lost.
    /// </summary>
    public FileStream? OpenForAppend(string id, long offset)
    {
        var path = DataPath(id);
        FileStream data;
        try
        {
            // Nothing stored yet means nothing to lose: a data file missing at offset 0 (a crash right after the
            // session was recorded) is simply made again.
            if (offset == 0)
            {
                Directory.CreateDirectory(Root);
            }

            data = new FileStream(path, offset == 0 ? FileMode.OpenOrCreate : FileMode.Open, FileAccess.Write, FileShare.Read, 0, FileOptions.Asynchronous);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        if (data.Length < offset)
        {
            data.Dispose();
            return null;
        }

        if (data.Length > offset)
        {
            data.SetLength(offset);
        }

        data.Position = offset;
        return data;
    }

    /// <summary>The upload's lock, or null while another request (in any api process on this volume) holds it.</summary>
    public IDisposable? TryLock(string id)
    {
        Directory.CreateDirectory(Root);
        try
        {
            return new FileStream(LockPath(id), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        }
        catch (IOException ex) when (IsHeldElsewhere(ex))
        {
            return null;
        }
    }

    /// <summary>Deletes what is left of a finished upload: its data (if it was not taken over by the blob store) and its lock file.</summary>
    public void Delete(string id)
    {
        File.Delete(DataPath(id));
        File.Delete(LockPath(id));
    }

    private string LockPath(string id) => Path.Combine(Root, ValidId(id) + ".lock");

    /// <summary>EWOULDBLOCK from flock (11 on Linux, 35 on macOS), or a Windows sharing or lock violation.</summary>
    private static bool IsHeldElsewhere(IOException ex)
        => ex.GetType() == typeof(IOException)
            && (OperatingSystem.IsWindows() ? (ex.HResult & 0xFFFF) is 0x20 or 0x21 : ex.HResult == (OperatingSystem.IsLinux() ? 11 : 35));

    private static string ValidId(string id)
        => IsUploadId(id) ? id : throw new ArgumentException("An upload is addressed by its generated id.", nameof(id));
}
