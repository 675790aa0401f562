using Microsoft.Win32.SafeHandles;
using System.Security.Cryptography;

namespace AioStorage.Core.Blobs;

/// <summary>How a <see cref="ContentPump.CopyAsync"/> ended.</summary>
/// <param name="Written">Bytes written to the file (and fed to the hashes).</param>
/// <param name="OverLimit">The source had more than the limit: nothing of the piece that went past it was written, but the hashes have seen its bytes, so they are good for nothing but discarding.</param>
/// <param name="ReadError">Reading the source failed (a reset, an abort, a timeout, a cancelled request): what arrived before it was written.</param>
public readonly record struct PumpResult(long Written, bool OverLimit, Exception? ReadError);

/// <summary>
/// The one copy loop for content arriving over the network (a multipart part, a tus PATCH body): it reads the source into
/// pieces of <see cref="PieceSize"/>, feeding each read to the hashes while its bytes are still in the CPU's cache, and
/// writes each piece at the file's position while the next pieces are read, up to <see cref="WritesInFlight"/> writes at
/// a time. Hashing is most of an upload's CPU time (SHA-256 runs at about 1.7 GiB/s here); hashing a piece on another
/// thread was slower on 2 cores, where the client and the kernel's network work use the other one.
/// <para>
/// Pieces are written straight to the disk (O_DIRECT, <see cref="DirectIo"/>) where the file system allows it. Through
/// the page cache, every upload first has the kernel copy its bytes into page-cache pages, and the cost of that copy
/// depends on pages nobody controls: on this VM, whose freed memory goes back to the host (free page reporting),
/// writing into fresh page-cache pages ran at 300-400 MiB/s in one run and 2 GB/s in the next, and took half of an
/// upload's time. Direct writes skip that copy and leave the cache to what is read; the price is that a file just
/// uploaded is read from the disk the first time. MinIO writes objects the same way. Direct writes also need bigger
/// pieces and more than one in flight to keep the disk busy: 1 MiB and two.
/// </para>
/// <para>
/// Where direct writes are off (<c>STORAGE_DIRECT_IO=false</c>) or refused (tmpfs on old kernels, some network file
/// systems), the same pieces go through the page cache, with the disk's writeback started window by window
/// (<see cref="Writeback"/>) so the closing fsync stays short.
/// </para>
/// </summary>
public static class ContentPump
{
    /// <summary>Bytes read, hashed and written as one piece (a multiple of <see cref="DirectIo.Alignment"/>).</summary>
    public const int PieceSize = 1024 * 1024;

    /// <summary>Writes queued to the disk while the next piece is read.</summary>
    public const int WritesInFlight = 2;

    /// <summary>
    /// Copies <paramref name="source"/> to <paramref name="target"/> at its position, at most <paramref name="limit"/>
    /// bytes, writing directly to the disk when <paramref name="direct"/> and the file system allow it. Read failures end
    /// the copy and are returned, not thrown, so the caller decides whether what arrived counts; write failures throw.
    /// <paramref name="readToken"/> cancels reading only: a piece already read is still written. The target's position
    /// ends after the bytes written.
    /// </summary>
    public static async Task<PumpResult> CopyAsync(Stream source, FileStream target, long limit, IncrementalHash?[] hashes, bool direct,
        CancellationToken readToken)
    {
        var start = target.Position;
        var writer = new PieceWriter(target.SafeFileHandle, start, direct);

        // The ring has one piece more than writes may be in flight: the one read into next is always free.
        var pieces = new DirectIo.Piece[WritesInFlight + 1];
        for (var i = 0; i < pieces.Length; i++)
        {
            pieces[i] = DirectIo.Rent();
        }

        var pending = new Queue<Task>();
        long total = 0;
        try
        {
            for (var next = 0; ; next = (next + 1) % pieces.Length)
            {
                // A file appended to at an odd offset (a resumed tus upload) gets a shorter first piece, so that every
                // piece after it starts on a block boundary and can be written directly.
                var room = total == 0 ? PieceSize - (int)(start % DirectIo.Alignment) : PieceSize;

                // One byte more than the limit allows notices an over-long source without reading on.
                var left = limit - total;
                var wanted = left >= room ? room : (int)left + 1;
                var (filled, error) = await FillAsync(source, pieces[next].Memory[..wanted], hashes, readToken);
                if (total + filled > limit)
                {
                    await DrainAsync(pending);
                    target.Position = start + total;
                    return new PumpResult(total, OverLimit: true, null);
                }

                if (filled > 0)
                {
                    var piece = pieces[next].Memory[..filled];

                    if (pending.Count == WritesInFlight)
                    {
                        await pending.Dequeue();
                    }

                    pending.Enqueue(writer.WriteAsync(piece, start + total, pending.Count == 0 ? Task.CompletedTask : Task.WhenAll(pending)));
                    total += filled;
                }

                if (error is not null || filled < wanted)
                {
                    await DrainAsync(pending);
                    target.Position = start + total;
                    return new PumpResult(total, OverLimit: false, error);
                }
            }
        }
        finally
        {
            // Writes still in flight (this method threw) must not have their pieces handed to someone else.
            while (pending.TryDequeue(out var write))
            {
                await write.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            }

            writer.Finish();
            foreach (var piece in pieces)
            {
                DirectIo.Return(piece);
            }
        }
    }

    private static async Task DrainAsync(Queue<Task> pending)
    {
        while (pending.TryDequeue(out var write))
        {
            await write;
        }
    }

    /// <summary>
    /// Writes pieces in order: block-aligned ones straight to the disk (O_DIRECT), the rest (an odd first piece, the
    /// last piece's tail) through the page cache; everything through the page cache where the file system has no direct
    /// I/O. Pages written through the cache are started on their way to the disk window by window (<see cref="Writeback"/>).
    /// </summary>
    private sealed class PieceWriter(SafeFileHandle file, long start, bool direct)
    {
        private readonly Writeback _writeback = new(file, start);
        private bool _canDirect = direct;
        private bool _directOn;
        private bool _directWorked;

        /// <summary>
        /// Writes <paramref name="piece"/> at <paramref name="offset"/>; <paramref name="earlier"/> completes with the
        /// writes queued before it. Direct writes may overlap one another; switching the file between direct and cached
        /// writes, and everything up to the first direct write that worked, waits for the writes before.
        /// </summary>
        public async Task WriteAsync(ReadOnlyMemory<byte> piece, long offset, Task earlier)
        {
            if (!_directWorked)
            {
                await earlier;
            }

            if (_canDirect && offset % DirectIo.Alignment == 0 && piece.Length >= DirectIo.Alignment)
            {
                if (!_directOn)
                {
                    await earlier;
                    _directOn = _canDirect = DirectIo.TryEnable(file);
                }

                if (_directOn)
                {
                    var aligned = piece.Length - piece.Length % DirectIo.Alignment;
                    try
                    {
                        await RandomAccess.WriteAsync(file, piece[..aligned], offset);
                        _directWorked = true;
                        piece = piece[aligned..];
                        offset += aligned;
                    }
                    catch (IOException) when (!_directWorked)
                    {
                        // A disk with blocks bigger than the alignment, or a file system that took the flag but not the
                        // write (EINVAL): this file goes through the page cache from here on.
                        _canDirect = false;
                    }
                }
            }

            if (piece.Length > 0)
            {
                await earlier;
                Finish();
                await RandomAccess.WriteAsync(file, piece, offset);

                // Only a file written wholly through the cache gathers windows of dirty pages; the odd head and tail of
                // a direct one are less than a piece, left to the closing fsync.
                if (!_canDirect)
                {
                    _writeback.Written(offset + piece.Length);
                }
            }
        }

        /// <summary>Leaves the file as it was opened: its owner's writes go through the page cache.</summary>
        public void Finish()
        {
            if (_directOn)
            {
                DirectIo.Disable(file);
                _directOn = false;
            }
        }
    }

    /// <summary>
    /// Reads until <paramref name="buffer"/> is full, the source ends, or a read fails, feeding each read to the hashes
    /// while its bytes are still in the CPU's cache.
    /// </summary>
    private static async ValueTask<(int Filled, Exception? Error)> FillAsync(Stream source, Memory<byte> buffer, IncrementalHash?[] hashes,
        CancellationToken cancellationToken)
    {
        var filled = 0;
        try
        {
            int read;
            while (filled < buffer.Length && (read = await source.ReadAsync(buffer[filled..], cancellationToken)) > 0)
            {
                foreach (var hash in hashes)
                {
                    hash?.AppendData(buffer.Span.Slice(filled, read));
                }

                filled += read;
            }

            return (filled, null);
        }
        catch (Exception ex)
        {
            return (filled, ex);
        }
    }
}
