using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http.Headers;
using Microsoft.Net.Http.Headers;

namespace AioStorage.Api.Http;

/// <summary>
/// What <see cref="StoredContentResult"/> sends: <paramref name="Open"/> gives a readable, seekable stream of exactly
/// <paramref name="Length"/> bytes (called at most once per request, only when bytes are sent).
/// </summary>
internal sealed record StoredContent(long Length, string ContentType, EntityTagHeaderValue ETag, DateTimeOffset LastModified, Func<Stream> Open)
{
    /// <summary>Downloads revalidate every time; immutable products (thumbnails, segments) may say how long to keep them.</summary>
    public string CacheControl { get; init; } = "private, no-cache";

    /// <summary><c>attachment</c> or <c>inline</c> with the file's name (<see cref="ContentDispositionHeader"/>); none when null.</summary>
    public string? ContentDisposition { get; init; }
}

/// <summary>
/// Sends stored content the way browsers, video players and download managers expect (RFC 9110): ETag and
/// Last-Modified, conditional requests (If-Match, If-Unmodified-Since -> 412; If-None-Match, If-Modified-Since -> 304),
/// single and multiple byte ranges (206, multipart/byteranges) with If-Range, 416 when no range can be served, HEAD.
/// Bytes are streamed through one pooled buffer: memory stays flat for any size. Downloads of blobs and the worker's
/// media products (thumbnails, HLS, MP4) share it.
/// </summary>
internal sealed class StoredContentResult(StoredContent content) : IResult
{
    /// <summary>Kestrel sends in 64 KiB segments anyway; a small buffer keeps 64 parallel downloads to a few MB.</summary>
    private const int CopyBufferSize = 64 * 1024;

    public async Task ExecuteAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var etag = content.ETag;
        var lastModified = new DateTimeOffset(content.LastModified.UtcTicks - (content.LastModified.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        var headers = response.GetTypedHeaders();
        headers.ETag = etag;
        headers.LastModified = lastModified;
        response.Headers.AcceptRanges = "bytes";
        response.Headers.CacheControl = content.CacheControl;
        response.Headers.XContentTypeOptions = "nosniff";
        // User content is never allowed to run as part of our origin, even if a browser decides to render it.
        response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'";
        if (content.ContentDisposition is { } disposition)
        {
            response.Headers.ContentDisposition = disposition;
        }

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
        var (outcome, ranges) = ByteRanges.Parse(rangeHeader, content.Length);
        var write = !HttpMethods.IsHead(request.Method);
        switch (outcome)
        {
            case RangeOutcome.Unsatisfiable:
                response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
                response.Headers.ContentRange = ByteRanges.UnsatisfiedContentRange(content.Length);
                response.ContentLength = 0;
                return;
            case RangeOutcome.Partial when ranges.Count == 1:
                response.StatusCode = StatusCodes.Status206PartialContent;
                response.ContentType = content.ContentType;
                response.Headers.ContentRange = ByteRanges.ContentRange(ranges[0], content.Length);
                response.ContentLength = ranges[0].Length;
                if (write)
                {
                    await using var blob = content.Open();
                    await CopyAsync(blob, ranges[0], response.Body, context.RequestAborted);
                }

                return;
            case RangeOutcome.Partial:
                await WriteMultipartAsync(context, ranges, write);
                return;
            default:
                response.StatusCode = StatusCodes.Status200OK;
                response.ContentType = content.ContentType;
                response.ContentLength = content.Length;
                if (write && content.Length > 0)
                {
                    await using var blob = content.Open();
                    await CopyAsync(blob, new ByteRange(0, content.Length - 1), response.Body, context.RequestAborted);
                }

                return;
        }
    }

    private async Task WriteMultipartAsync(HttpContext context, IReadOnlyList<ByteRange> ranges, bool write)
    {
        var boundary = Guid.NewGuid().ToString("N");
        var partHeaders = ranges.Select((range, i) => Encoding.ASCII.GetBytes(
            $"{(i == 0 ? string.Empty : "\r\n")}--{boundary}\r\nContent-Type: {content.ContentType}\r\nContent-Range: {ByteRanges.ContentRange(range, content.Length)}\r\n\r\n")).ToList();
        var closing = Encoding.ASCII.GetBytes($"\r\n--{boundary}--\r\n");
        var response = context.Response;
        response.StatusCode = StatusCodes.Status206PartialContent;
        response.ContentType = $"multipart/byteranges; boundary={boundary}";
        response.ContentLength = partHeaders.Sum(h => (long)h.Length) + ranges.Sum(r => r.Length) + closing.Length;
        if (!write)
        {
            return;
        }

        await using var blob = content.Open();
        for (var i = 0; i < ranges.Count; i++)
        {
            await response.Body.WriteAsync(partHeaders[i], context.RequestAborted);
            await CopyAsync(blob, ranges[i], response.Body, context.RequestAborted);
        }

        await response.Body.WriteAsync(closing, context.RequestAborted);
    }

    private static async Task CopyAsync(Stream source, ByteRange range, Stream destination, CancellationToken cancellationToken)
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
