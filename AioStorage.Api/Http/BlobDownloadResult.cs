using AioStorage.Core.Blobs;
using AioStorage.Core.Metadata;
using Microsoft.Net.Http.Headers;

namespace AioStorage.Api.Http;

/// <summary>
/// A file's content as a download: the ETag is the content hash, Last-Modified the file's, and the name goes into
/// Content-Disposition. Ranges and conditional requests are <see cref="StoredContentResult"/>'s.
/// </summary>
internal sealed class BlobDownloadResult(BlobStore blobs, FileRecord file, bool inline) : IResult
{
    public Task ExecuteAsync(HttpContext context) => new StoredContentResult(
        new StoredContent(file.Size, file.MimeType, new EntityTagHeaderValue($"\"{file.Sha256}\""), file.UpdatedAt, () => blobs.OpenRead(file.Sha256))
        {
            ContentDisposition = ContentDispositionHeader.Create(file.Name, inline),
        }).ExecuteAsync(context);
}
