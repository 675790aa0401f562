using System.Buffers;
using System.Runtime.InteropServices;
using AioStorage.Core.Blobs;
using Microsoft.AspNetCore.Connections;

namespace AioStorage.Api.Http;

/// <summary>
/// Kestrel's connection buffers in 32 KiB blocks instead of its default 4 KiB ones. The socket transport receives into
/// whatever is left of the current block, so with 4 KiB blocks a 1 GiB upload took about half a million <c>recv</c>
/// calls of 2 KiB on average, each waking the request's reader through the thread pool; with 32 KiB blocks it takes a
/// sixteenth of that. With the pieces of <c>ContentPump</c> this took uploads from about 450 to 640-710 MiB/s (README,
/// Benchmark section). Blocks are pinned (sockets write into them) and pooled; at most <see cref="RetainedBlocks"/>
/// idle blocks are kept, so a burst of connections does not hold its memory forever. A connection waiting for its next
/// request holds no block (Kestrel asks for one only once data has arrived).
/// </summary>
internal sealed class TransportMemoryPool : MemoryPool<byte>
{
    public const int BlockSize = 32 * 1024;

    /// <summary>2 MiB of idle blocks; more were kept alive for nothing after a burst of connections (peak RSS).</summary>
    public const int RetainedBlocks = 64;

    private readonly PinnedArrayPool _blocks = new(BlockSize, RetainedBlocks);

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        return new Block(_blocks, _blocks.Rent());
    }

    protected override void Dispose(bool disposing) => _blocks.Clear();

    private sealed class Block(PinnedArrayPool pool, byte[] array) : IMemoryOwner<byte>
    {
        private byte[]? _array = array;

        public Memory<byte> Memory => _array is { } array
            ? MemoryMarshal.CreateFromPinnedArray(array, 0, array.Length)
            : throw new ObjectDisposedException(nameof(Block));

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _array, null) is { } returned)
            {
                pool.Return(returned);
            }
        }
    }
}

/// <summary>Hands Kestrel's socket transport a <see cref="TransportMemoryPool"/> per listener.</summary>
internal sealed class TransportMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new TransportMemoryPool();
}
