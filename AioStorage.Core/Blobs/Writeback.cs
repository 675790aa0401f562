using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace AioStorage.Core.Blobs;

/// <summary>
/// Starts writing a file's dirty pages to disk while it is still being received, window by window, so the fsync that
/// makes an upload durable at its end only waits for the last window instead of the whole file (on this kind of disk,
/// flushing 1 GiB at the end took longer than receiving it). Each window is handed to the kernel with
/// <c>sync_file_range(WRITE)</c>, which queues the I/O and returns; the window before it is waited for, which keeps the
/// page cache from filling with one upload's dirty pages. Linux only: elsewhere it does nothing and the final fsync
/// does all the work, as before. It never replaces that fsync: it only makes it short.
/// </summary>
public sealed partial class Writeback(SafeFileHandle file, long startOffset = 0)
{
    /// <summary>Big enough for the disk to merge into large writes, small enough that the final fsync is quick.</summary>
    public const long Window = 32L * 1024 * 1024;

    private const uint WaitBefore = 1;
    private const uint Write = 2;

    private static bool supported = OperatingSystem.IsLinux();

    private readonly long _start = startOffset;
    private long _queuedUpTo = startOffset;

    /// <summary>Call after bytes up to <paramref name="position"/> were written; queues each full window behind it.</summary>
    public void Written(long position)
    {
        while (supported && position - _queuedUpTo >= Window)
        {
            var previous = _queuedUpTo - Window;
            if (previous >= _start && SyncFileRange(file, previous, Window, WaitBefore) != 0)
            {
                supported = false;
                return;
            }

            if (SyncFileRange(file, _queuedUpTo, Window, Write) != 0)
            {
                // ENOSYS or a file system that refuses it (some network mounts): the final fsync still does the job.
                supported = false;
                return;
            }

            _queuedUpTo += Window;
        }
    }

    [LibraryImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    private static partial int SyncFileRange(SafeFileHandle fd, long offset, long nbytes, uint flags);
}
