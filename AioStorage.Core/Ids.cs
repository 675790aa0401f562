namespace AioStorage.Core;

/// <summary>Opaque ids: version-7 GUIDs in 32 hex digits, so they sort by creation time in every store's index.</summary>
public static class Ids
{
    public static string New() => Guid.CreateVersion7().ToString("N");
}
