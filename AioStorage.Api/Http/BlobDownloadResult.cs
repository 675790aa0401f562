using System.Buffers;
using System.Text;
using AioStorage.Core.Blobs;
using AioStorage.Core.Metadata;
using Microsoft.AspNetCore.Http.Headers;
using Microsoft.Net.Http.Headers;

namespace AioStorage.Api.Http;

/// <summary>
/// Sends a file's content the way browsers, video players and download managers expect (RFC 9110): ETag (the content
/// hash) and Last-Modified, conditional requests (If-Match, If-Unmodified-Since -> 412; If-None-Match,
/// If-Modified-Since -> 304), single and multiple byte ranges (206, multipart/byteranges) with If-Range, 416 when no
/// range can be served, HEAD. Bytes are streamed from the blob through one pooled buffer: memory stays flat for any size.
/// </summary>
internal sealed class BlobDownloadResult(BlobStore blobs, FileRecord file, bool inline) : IResult
{
    /// <summary>Kestrel sends in 64 KiB segments anyway; a small buffer keeps 64 parallel downloads to a few MB.</summary>
    private const int CopyBufferSize = 128 * 1024;

    public async Task ExecuteAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var etag = new EntityTagHeaderValue($"\"{file.Sha256}\"");
        var lastModified = new DateTimeOffset(file.UpdatedAt.UtcTicks - (file.UpdatedAt.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        var headers = response.GetTypedHeaders();
        headers.ETag = etag;
        headers.LastModified = lastModified;
        response.Headers.AcceptRanges = "bytes";
        response.Headers.CacheControl = "private, no-cache";
        response.Headers.XContentTypeOptions = "nosniff";
        // User content is never allowed to run as part of our origin, even if a browser decides to render it.
        response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'";
        response.Headers.ContentDisposition = ContentDispositionHeader.Create(file.Name, inline);

        var requestHeaders = request.GetTypedHeaders();
        if (PreconditionFailed(requestHeaders, etag, lastModified))
        {
            response.StatusCode = StatusCodes.Status412PreconditionFailed;
            return;
        }

        if (NotModified(requestHeaders, etag, lastModified))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        var rangeHeader = HttpMethods.IsGet(request.Method) && RangeStillValid(requestHeaders, etag, lastModified)
            ? request.Headers.Range.ToString()
            : null;
        var (outcome, ranges) = ByteRanges.Parse(rangeHeader, file.Size);
        var write = !HttpMethods.IsHead(request.Method);
        switch (outcome)
        {
            case RangeOutcome.Unsatisfiable:
                response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
                response.Headers.ContentRange = ByteRanges.UnsatisfiedContentRange(file.Size);
                response.ContentLength = 0;
                return;
            case RangeOutcome.Partial when ranges.Count == 1:
                response.StatusCode = StatusCodes.Status206PartialContent;
                response.ContentType = file.MimeType;
                response.Headers.ContentRange = ByteRanges.ContentRange(ranges[0], file.Size);
                response.ContentLength = ranges[0].Length;
                if (write)
                {
                    await using var blob = blobs.OpenRead(file.Sha256);
                    await CopyAsync(blob, ranges[0], response.Body, context.RequestAborted);
                }

                return;
            case RangeOutcome.Partial:
                await WriteMultipartAsync(context, ranges, write);
                return;
            default:
                response.StatusCode = StatusCodes.Status200OK;
                response.ContentType = file.MimeType;
                response.ContentLength = file.Size;
                if (write && file.Size > 0)
                {
                    await using var blob = blobs.OpenRead(file.Sha256);
                    await CopyAsync(blob, new ByteRange(0, file.Size - 1), response.Body, context.RequestAborted);
                }

                return;
        }
    }

    private async Task WriteMultipartAsync(HttpContext context, IReadOnlyList<ByteRange> ranges, bool write)
    {
        var boundary = Guid.NewGuid().ToString("N");
        var partHeaders = ranges.Select((range, i) => Encoding.ASCII.GetBytes(
            $"{(i == 0 ? string.Empty : "\r\n")}--{boundary}\r\nContent-Type: {file.MimeType}\r\nContent-Range: {ByteRanges.ContentRange(range, file.Size)}\r\n\r\n")).ToList();
        var closing = Encoding.ASCII.GetBytes($"\r\n--{boundary}--\r\n");
        var response = context.Response;
        response.StatusCode = StatusCodes.Status206PartialContent;
        response.ContentType = $"multipart/byteranges; boundary={boundary}";
        response.ContentLength = partHeaders.Sum(h => (long)h.Length) + ranges.Sum(r => r.Length) + closing.Length;
        if (!write)
        {
            return;
        }

        await using var blob = blobs.OpenRead(file.Sha256);
        for (var i = 0; i < ranges.Count; i++)
        {
            await response.Body.WriteAsync(partHeaders[i], context.RequestAborted);
            await CopyAsync(blob, ranges[i], response.Body, context.RequestAborted);
        }

        await response.Body.WriteAsync(closing, context.RequestAborted);
    }

    private static async Task CopyAsync(FileStream source, ByteRange range, Stream destination, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            source.Seek(range.Start, SeekOrigin.Begin);
            var remaining = range.Length;
            while (remaining > 0)
            {
                var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(CopyBufferSize, remaining)), cancellationToken);
                if (read == 0)
                {
                    throw new IOException("The stored content is shorter than its record says.");
                }

                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                remaining -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool PreconditionFailed(RequestHeaders headers, EntityTagHeaderValue etag, DateTimeOffset lastModified)
    {
        if (headers.IfMatch is { Count: > 0 } ifMatch)
        {
            return !ifMatch.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(etag, useStrongComparison: true));
        }

        return headers.IfUnmodifiedSince is { } since && lastModified > since;
    }

    private static bool NotModified(RequestHeaders headers, EntityTagHeaderValue etag, DateTimeOffset lastModified)
    {
        if (headers.IfNoneMatch is { Count: > 0 } ifNoneMatch)
        {
            return ifNoneMatch.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(etag, useStrongComparison: false));
        }

        return headers.IfModifiedSince is { } since && lastModified <= since;
    }

    /// <summary>If-Range: the range applies only if the client's copy is still this one (strong ETag, or the exact date).</summary>
    private static bool RangeStillValid(RequestHeaders headers, EntityTagHeaderValue etag, DateTimeOffset lastModified)
    {
        if (headers.IfRange is not { } ifRange)
        {
            return true;
        }

        return ifRange.EntityTag is { } tag
            ? !tag.IsWeak && tag.Compare(etag, useStrongComparison: true)
            : ifRange.LastModified == lastModified;
    }
}
