using Microsoft.Extensions.Configuration;

namespace AioStorage.Core.Configuration;

/// <summary>Where file content lives: <c>STORAGE_PATH</c>, the file_storage volume shared by api and worker.</summary>
public sealed record StorageOptions(string Path)
{
    public const string DefaultPath = "/app/storage";

    public static StorageOptions From(IConfiguration configuration)
    {
        var path = configuration["STORAGE_PATH"];
        return new StorageOptions(System.IO.Path.GetFullPath(string.IsNullOrWhiteSpace(path) ? DefaultPath : path));
    }
}
