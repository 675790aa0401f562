using Microsoft.Extensions.Configuration;

namespace AioStorage.Core.Configuration;

/// <summary>
/// Where file content lives: <c>STORAGE_PATH</c>, the file_storage volume shared by api and worker.
/// <paramref name="DirectWrites"/> (<c>STORAGE_DIRECT_IO</c>, on unless <c>false</c>): uploads are written straight to
/// the disk (O_DIRECT) where the file system allows it, instead of through the page cache (see <c>ContentPump</c>).
/// </summary>
public sealed record StorageOptions(string Path, bool DirectWrites = true)
{
    public const string DefaultPath = "/app/storage";

    public static StorageOptions From(IConfiguration configuration)
    {
        var path = configuration["STORAGE_PATH"];
        var direct = configuration["STORAGE_DIRECT_IO"];
        var directWrites = true;
        if (!string.IsNullOrWhiteSpace(direct) && !bool.TryParse(direct, out directWrites))
        {
            throw new InvalidOperationException($"STORAGE_DIRECT_IO must be true or false, not '{direct}'.");
        }

        return new StorageOptions(System.IO.Path.GetFullPath(string.IsNullOrWhiteSpace(path) ? DefaultPath : path), directWrites);
    }
}
