using System.Globalization;

namespace AioStorage.Web.Uploads;

/// <summary>
/// How the browser sends files: <c>UPLOAD_CHUNK_SIZE</c> bytes per tus PATCH (8 MiB by default). Smaller chunks lose
/// less to a dropped connection and fit under a proxy's body limit (nginx takes 1 MiB unless told otherwise); larger
/// ones make fewer requests.
/// </summary>
public sealed record UploadOptions(int ChunkSize)
{
    public const string ChunkSizeKey = "UPLOAD_CHUNK_SIZE";
    public const int DefaultChunkSize = 8 * 1024 * 1024;
    public const int MinChunkSize = 64 * 1024;
    public const int MaxChunkSize = 512 * 1024 * 1024;

    public static UploadOptions From(IConfiguration configuration)
    {
        var text = configuration[ChunkSizeKey];
        if (string.IsNullOrWhiteSpace(text))
        {
            return new UploadOptions(DefaultChunkSize);
        }

        return int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) && bytes is >= MinChunkSize and <= MaxChunkSize
            ? new UploadOptions(bytes)
            : throw new InvalidOperationException($"{ChunkSizeKey} must be a number of bytes from {MinChunkSize} to {MaxChunkSize}, not '{text}'.");
    }
}
