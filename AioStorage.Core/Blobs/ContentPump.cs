using System.Buffers;
using System.Security.Cryptography;

namespace AioStorage.Core.Blobs;

/// <summary>How a <see cref="ContentPump.CopyAsync"/> ended.</summary>
/// <param name="Written">Bytes written to the file (and fed to the hashes).</param>
/// <param name="OverLimit">The source had more than the limit: the piece that went past it was neither hashed nor written.</param>
/// <param name="ReadError">Reading the source failed (a reset, an abort, a timeout, a cancelled request): what arrived before it was written.</param>
public readonly record struct PumpResult(long Written, bool OverLimit, Exception? ReadError);

/// <summary>
/// The one copy loop for content arriving over the network (a multipart part, a tus PATCH body): it reads the source into
/// pieces of <see cref="BlobStore.BufferSize"/>, feeds each piece to the hashes, and writes it at the file's position
/// while the next piece is read, with the disk's writeback started window by window (<see cref="Writeback"/>).
/// <para>
/// A request body hands out what the socket delivered, a few KiB at a time. Writing each of those as it came meant
/// thousands of small writes per MiB, each through the thread pool; filling a piece first makes them a few per MiB. The
/// pieces stay small enough for both to sit in the CPU's cache while they are copied in, hashed and written out: with
/// 1 MiB pieces the copy into the page cache alone took a third of a 1 GiB upload's time on this machine.
/// </para>
/// </summary>
public static class ContentPump
{
    /// <summary>
    /// Copies <paramref name="source"/> to <paramref name="target"/> at its position, at most <paramref name="limit"/>
    /// bytes. Read failures end the copy and are returned, not thrown, so the caller decides whether what arrived counts;
    /// write failures throw. <paramref name="readToken"/> cancels reading only: a piece already read is still written.
    /// </summary>
    public static async Task<PumpResult> CopyAsync(Stream source, FileStream target, long limit, IncrementalHash?[] hashes, CancellationToken readToken)
    {
        var writeback = new Writeback(target.SafeFileHandle, target.Position);
        var start = target.Position;
        var reading = ArrayPool<byte>.Shared.Rent(BlobStore.BufferSize);
        var writing = ArrayPool<byte>.Shared.Rent(BlobStore.BufferSize);
        var pendingWrite = Task.CompletedTask;
        long total = 0;
        try
        {
            while (true)
            {
                // One byte more than the limit allows notices an over-long source without reading on.
                var left = limit - total;
                var wanted = left >= BlobStore.BufferSize ? BlobStore.BufferSize : (int)left + 1;
                var (filled, error) = await FillAsync(source, reading.AsMemory(0, wanted), readToken);
                if (total + filled > limit)
                {
                    await pendingWrite;
                    return new PumpResult(total, OverLimit: true, null);
                }

                if (filled > 0)
                {
                    foreach (var hash in hashes)
                    {
                        hash?.AppendData(reading, 0, filled);
                    }

                    await pendingWrite;
                    writeback.Written(start + total);
                    pendingWrite = target.WriteAsync(reading.AsMemory(0, filled), CancellationToken.None).AsTask();
                    total += filled;
                    (reading, writing) = (writing, reading);
                }

                if (error is not null || filled < wanted)
                {
                    await pendingWrite;
                    writeback.Written(start + total);
                    return new PumpResult(total, OverLimit: false, error);
                }
            }
        }
        finally
        {
            // A write still in flight (this method threw) must not have its buffer handed to someone else.
            await pendingWrite.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            ArrayPool<byte>.Shared.Return(reading);
            ArrayPool<byte>.Shared.Return(writing);
        }
    }

    /// <summary>Reads until <paramref name="buffer"/> is full, the source ends, or a read fails.</summary>
    private static async ValueTask<(int Filled, Exception? Error)> FillAsync(Stream source, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        try
        {
            int read;
            while (filled < buffer.Length && (read = await source.ReadAsync(buffer[filled..], cancellationToken)) > 0)
            {
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
