using System.Collections.Concurrent;

namespace AioStorage.Core.Blobs;

/// <summary>
/// Arrays of one size on the pinned object heap (their address never moves, so sockets and the disk can work on them
/// directly), handed out again once returned. At most <paramref name="retained"/> idle arrays are kept, so a burst of
/// transfers does not hold its memory forever. Reuse matters here beyond allocation: fresh memory costs a page fault per
/// page the first time it is touched.
/// </summary>
public sealed class PinnedArrayPool(int length, int retained)
{
    private readonly ConcurrentQueue<byte[]> _idle = new();
    private int _idleCount;

    public byte[] Rent()
    {
        if (_idle.TryDequeue(out var array))
        {
            Interlocked.Decrement(ref _idleCount);
            return array;
        }

        return GC.AllocateUninitializedArray<byte>(length, pinned: true);
    }

    public void Return(byte[] array)
    {
        if (array.Length != length)
        {
            return;
        }

        if (Interlocked.Increment(ref _idleCount) <= retained)
        {
            _idle.Enqueue(array);
        }
        else
        {
            Interlocked.Decrement(ref _idleCount);
        }
    }

    public void Clear() => _idle.Clear();
}
