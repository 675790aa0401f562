using System.Diagnostics;

namespace AioStorage.Tests.Archives;

/// <summary>
/// Puts a named pipe where a blob is, and feeds each read of it from a background thread: a slow disk (a pause per MiB)
/// or a read that breaks off (less content than the record says). The fault injected is real I/O: the worker reads the
/// pipe through the blob store exactly as it reads a file.
/// </summary>
internal sealed class SlowBlob : IAsyncDisposable
{
    private const int Piece = 1 << 20;

    private readonly string _path;
    private readonly Thread _feeder;
    private int _reads;

    private SlowBlob(string path, (byte[] Content, TimeSpan PausePerMiB)[] reads)
    {
        _path = path;
        _feeder = new Thread(() =>
        {
            foreach (var (content, pause) in reads)
            {
                // A pipe opened for writing while the last reader still holds it would add to that read: wait it out.
                WaitUntilNoReader();
                // Opening a pipe for writing waits until a reader opens it: one iteration per read of the blob.
                using (var pipe = new FileStream(_path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 0))
                {
                    try
                    {
                        for (var offset = 0; offset < content.Length; offset += Piece)
                        {
                            if (offset > 0)
                            {
                                Thread.Sleep(pause);
                            }

                            pipe.Write(content, offset, Math.Min(Piece, content.Length - offset));
                        }
                    }
                    catch (IOException)
                    {
                        // The reader went away (its read failed or the test ended): this read is over.
                    }
                }

                Interlocked.Increment(ref _reads);
            }
        })
        { IsBackground = true, Name = "slow blob feeder" };
        _feeder.Start();
    }

    /// <summary>The worker reads in this process, so its open descriptors show whether a read of the pipe is still going on.</summary>
    private void WaitUntilNoReader()
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Directory.EnumerateFileSystemEntries("/proc/self/fd").Any(fd => ResolvesToPipe(fd)) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(10);
        }
    }

    private bool ResolvesToPipe(string fd)
    {
        try
        {
            return new FileInfo(fd).LinkTarget == _path;
        }
        catch (IOException)
        {
            // The descriptor closed while it was looked at.
            return false;
        }
    }

    /// <summary>How many reads of the blob were fed to their end.</summary>
    public int Reads => Volatile.Read(ref _reads);

    /// <summary>Replaces the blob <paramref name="sha256"/> under <paramref name="storagePath"/>; each read gets the next feed.</summary>
    public static SlowBlob Replace(string storagePath, string sha256, params (byte[] Content, TimeSpan PausePerMiB)[] reads)
    {
        var path = Path.Combine(storagePath, "blobs", sha256[..2], sha256[2..4], sha256);
        File.Delete(path);
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
        return new SlowBlob(path, reads);
    }

    public async ValueTask DisposeAsync()
    {
        // A feeder still waiting for a reader is released by one that reads and drops whatever it is sent.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (_feeder.IsAlive && DateTime.UtcNow < deadline)
        {
            await using (var drain = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 0))
            {
                await drain.CopyToAsync(Stream.Null);
            }

            _feeder.Join(TimeSpan.FromMilliseconds(100));
        }

        File.Delete(_path);
    }
}
