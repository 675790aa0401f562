using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace AioStorage.Core.Blobs;

/// <summary>
/// Turns <c>O_DIRECT</c> on and off on an open file (Linux <c>fcntl(F_SETFL)</c>), so that writes go from the caller's
/// buffer straight to the disk instead of being copied into the page cache first. Direct writes need their offset, length
/// and memory aligned to the disk's logical block: <see cref="Alignment"/> (4 KiB) covers every common disk.
/// Where the file system refuses it (or the OS is not Linux) <see cref="TryEnable"/> says so and nothing changes.
/// </summary>
internal static partial class DirectIo
{
    public const int Alignment = 4096;

    private const int GetFlags = 3;
    private const int SetFlags = 4;

    // O_DIRECT has a different value on the ARM ports of Linux (asm-generic vs arm/arm64 fcntl.h).
    private static readonly int ODirect = RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 ? 0x10000 : 0x4000;

    /// <summary>Pieces kept for reuse: 16 MiB, what five uploads at once hold (three pieces each).</summary>
    private static readonly PinnedArrayPool Pieces = new(ContentPump.PieceSize + Alignment, retained: 16);

    /// <summary>Sets O_DIRECT on <paramref name="file"/>; false when the OS or the file system does not offer it.</summary>
    public static bool TryEnable(SafeFileHandle file) => Set(file, on: true);

    /// <summary>Clears O_DIRECT on <paramref name="file"/> (its writes go through the page cache again).</summary>
    public static void Disable(SafeFileHandle file) => Set(file, on: false);

    private static bool Set(SafeFileHandle file, bool on)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        var flags = Fcntl(file, GetFlags, 0);
        if (flags < 0)
        {
            return false;
        }

        var wanted = on ? flags | ODirect : flags & ~ODirect;
        return wanted == flags || Fcntl(file, SetFlags, wanted) == 0;
    }

    /// <summary>A piece of <see cref="ContentPump.PieceSize"/> bytes whose memory starts on an <see cref="Alignment"/> boundary.</summary>
    public static Piece Rent() => new(Pieces.Rent(), ContentPump.PieceSize);

    public static void Return(Piece piece) => Pieces.Return(piece.Array);

    /// <summary>An aligned window of <see cref="Length"/> bytes inside a pinned array.</summary>
    public readonly struct Piece
    {
        public Piece(byte[] array, int length)
        {
            Array = array;
            Length = length;
            unsafe
            {
                fixed (byte* start = array)
                {
                    Offset = (int)((Alignment - (nint)start % Alignment) % Alignment);
                }
            }
        }

        public byte[] Array { get; }

        public int Offset { get; }

        public int Length { get; }

        public Memory<byte> Memory => Array.AsMemory(Offset, Length);
    }

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(SafeFileHandle fd, int command, int argument);
}
