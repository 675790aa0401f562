using System.Globalization;
using System.Security.Claims;
using AioStorage.Core.Errors;
using AioStorage.Core.Metadata;
using AioStorage.Core.Uploads;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace AioStorage.Api.Endpoints;

public sealed record UploadStatusResponse(string Id, long Offset, long Length, string Status, string? FileId);

/// <summary>
/// Resumable uploads speaking tus 1.0.0 (core, creation, creation-with-upload, termination, checksum, expiration), so
/// any tus client works; the final PATCH answers with <c>Aio-File-Id</c>. tus clients act on status codes alone, and
/// every error still carries an RFC 9457 problem for people reading it.
/// </summary>
public static class UploadEndpoints
{
    public const string TusVersion = "1.0.0";
    public const string Path = "/api/v1/uploads";
    public const string TusResumableHeader = "Tus-Resumable";

    private const string FileIdHeader = "Aio-File-Id";
    private const string OffsetOctetStream = "application/offset+octet-stream";
    private const string OffsetHeader = "Upload-Offset";
    private const string LengthHeader = "Upload-Length";
    private const string ExpiresHeader = "Upload-Expires";
    private const string MetadataHeader = "Upload-Metadata";
    private const string ChecksumHeader = "Upload-Checksum";
    private const string TusVersionHeader = "Tus-Version";
    private const string TusExtension = "Tus-Extension";
    private const string TusMaxSize = "Tus-Max-Size";
    private const string TusChecksumAlgorithm = "Tus-Checksum-Algorithm";
    private const string Extensions = "creation,creation-with-upload,termination,checksum,expiration";
    private const int ChecksumMismatch = 460;

    /// <summary>What a browser client must be able to read from the responses (CORS), tus's headers and ours.</summary>
    public static readonly string[] ExposedHeaders =
    [
        HeaderNames.Location, OffsetHeader, LengthHeader, ExpiresHeader, MetadataHeader, TusResumableHeader, TusVersionHeader, TusExtension,
        TusMaxSize, TusChecksumAlgorithm, FileIdHeader,
    ];

    public static RouteGroupBuilder MapUploadEndpoints(this RouteGroupBuilder api)
    {
        var uploads = api.MapGroup("/uploads").WithTags("Uploads");

        uploads.MapMethods("/", [HttpMethods.Options], (HttpContext http, ResumableUploadOptions options) =>
            {
                var headers = http.Response.Headers;
                headers[TusVersionHeader] = TusVersion;
                headers[TusExtension] = Extensions;
                headers[TusMaxSize] = options.MaxSize.ToString(CultureInfo.InvariantCulture);
                headers[TusChecksumAlgorithm] = string.Join(',', UploadChecksum.Algorithms);
                return TypedResults.NoContent();
            })
            .AllowAnonymous()
            .WithName("DescribeUploads")
            .WithSummary("tus discovery: Tus-Version, Tus-Extension, Tus-Max-Size, Tus-Checksum-Algorithm (no sign-in needed)");

        uploads.MapPost("/", Create)
            .SpeaksTus()
            .WithName("CreateUpload")
            .WithSummary("Create a resumable upload (tus creation, creation-with-upload)")
            .WithDescription("Upload-Length is required (no deferred length); Upload-Metadata may carry filename, folderId, filetype and "
                + "onConflict (version, rename, fail), Base64-encoded. Quota is reserved for the whole length at once (507 when it "
                + "does not fit). 201 with Location and Upload-Expires; with a body of type application/offset+octet-stream, "
                + "its bytes are stored as by a PATCH and Upload-Offset says how many were kept.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status507InsufficientStorage);

        uploads.MapMethods("/{id}", [HttpMethods.Head], Head)
            .SpeaksTus()
            .WithName("GetUploadOffset")
            .WithSummary("Where an upload stands (tus HEAD): Upload-Offset, Upload-Length, Upload-Metadata, Upload-Expires")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone)
            .ProducesProblem(StatusCodes.Status423Locked);

        uploads.MapMethods("/{id}", [HttpMethods.Patch], Append)
            .SpeaksTus()
            .WithName("AppendToUpload")
            .WithSummary("Append bytes at Upload-Offset (tus PATCH); the PATCH that completes the upload answers with Aio-File-Id")
            .WithDescription("Content-Type must be application/offset+octet-stream (415). Upload-Offset must be the upload's offset "
                + "(409). Upload-Checksum (sha1 or sha256) is checked against this body: 460 and nothing kept on a mismatch. A body "
                + "that breaks off keeps what arrived; the next HEAD says where to resume. 423 while another request writes to it.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status410Gone)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status423Locked)
            .ProducesProblem(ChecksumMismatch);

        uploads.MapDelete("/{id}", async (string id, ClaimsPrincipal user, ResumableUploadService service, CancellationToken ct) =>
            {
                await service.TerminateAsync(user.UserId(), id, ct);
                return TypedResults.NoContent();
            })
            .SpeaksTus()
            .WithName("TerminateUpload")
            .WithSummary("Terminate an upload (tus termination): its bytes are deleted and its reserved quota given back")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone)
            .ProducesProblem(StatusCodes.Status423Locked);

        uploads.MapGet("/{id}", async (string id, ClaimsPrincipal user, ResumableUploadService service, HttpContext http, CancellationToken ct) =>
            {
                var session = (await service.GetAsync(user.UserId(), id, http.Client(), ct)).Session;
                return TypedResults.Ok(new UploadStatusResponse(session.Id, session.Offset, session.Length,
                    session.Status.ToString().ToLowerInvariant(), session.FileId));
            })
            .WithName("GetUploadStatus")
            .WithSummary("An upload as JSON: {id, offset, length, status (active, completed, terminated, expired), fileId}")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return api;
    }

    private static async Task<IResult> Create(HttpContext http, ClaimsPrincipal user, ResumableUploadService service, CancellationToken ct)
    {
        var request = http.Request;
        if (request.Headers.ContainsKey("Upload-Defer-Length"))
        {
            throw ValidationFailedException.For("Upload-Defer-Length", "This server needs Upload-Length when an upload is created (creation-defer-length is not supported).");
        }

        if (request.Headers.ContainsKey("Upload-Concat"))
        {
            throw ValidationFailedException.For("Upload-Concat", "This server does not support the concatenation extension.");
        }

        var length = NonNegative(request.Headers, LengthHeader);
        var metadata = UploadMetadata.Parse(request.Headers[MetadataHeader]);
        var description = UploadDescription.From(metadata);
        var withBytes = IsOffsetOctetStream(request);
        if (!withBytes && (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0))
        {
            return UnsupportedMediaType();
        }

        var checksum = withBytes ? UploadChecksum.Parse(request.Headers[ChecksumHeader]) : null;
        if (withBytes && request.ContentLength > length)
        {
            throw new ResumableUploadException(UploadRefusal.TooLarge, $"The body is longer than the upload's {length} bytes.");
        }

        var ownerId = user.UserId();
        var session = await service.CreateAsync(ownerId, length, metadata, FileEndpoints.MimeTypeOf(description.FileName, description.FileType), http.Client(), ct);
        if (withBytes && session.Status == UploadStatus.Active)
        {
            AllowLongBody(http);
            try
            {
                session = (await service.AppendAsync(ownerId, session.Id, 0, request.Body, request.ContentLength, checksum, http.Client(), ct)).Session;
            }
            catch (ResumableUploadException refused) when (refused.Refusal is UploadRefusal.ChecksumMismatch or UploadRefusal.TooLarge)
            {
                // The upload exists either way: the client learns where it is and sends the bytes again with PATCH.
                session = (await service.GetAsync(ownerId, session.Id, http.Client(), CancellationToken.None)).Session;
            }
        }

        DescribeProgress(http.Response, session);
        return TypedResults.Created($"{request.PathBase}{Path}/{session.Id}");
    }

    private static async Task<IResult> Head(string id, HttpContext http, ClaimsPrincipal user, ResumableUploadService service, CancellationToken ct)
    {
        var view = await service.GetAsync(user.UserId(), id, http.Client(), ct);
        http.Response.Headers.CacheControl = "no-store";
        var session = view.Session;
        if (session.Status is UploadStatus.Terminated or UploadStatus.Expired)
        {
            throw new ResumableUploadException(UploadRefusal.Gone, $"This upload was {session.Status.ToString().ToLowerInvariant()}. Start a new upload.");
        }

        if (view.Finishing)
        {
            throw new ResumableUploadException(UploadRefusal.Locked, "This upload is being stored. Ask again in a moment.");
        }

        DescribeProgress(http.Response, session);
        http.Response.Headers[LengthHeader] = session.Length.ToString(CultureInfo.InvariantCulture);
        var echo = UploadMetadata.FromStored(session.Metadata).ToHeader();
        if (echo.Length > 0)
        {
            http.Response.Headers[MetadataHeader] = echo;
        }

        return TypedResults.Ok();
    }

    private static async Task<IResult> Append(string id, HttpContext http, ClaimsPrincipal user, ResumableUploadService service, CancellationToken ct)
    {
        var request = http.Request;
        if (!IsOffsetOctetStream(request))
        {
            return UnsupportedMediaType();
        }

        var offset = NonNegative(request.Headers, OffsetHeader);
        var checksum = UploadChecksum.Parse(request.Headers[ChecksumHeader]);
        AllowLongBody(http);
        var result = await service.AppendAsync(user.UserId(), id, offset, request.Body, request.ContentLength, checksum, http.Client(), ct);
        DescribeProgress(http.Response, result.Session);
        return result.Interrupted
            ? TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Body interrupted",
                detail: $"The request body broke off; the upload is at offset {result.Session.Offset}. Resume from there.")
            : TypedResults.NoContent();
    }

    /// <summary>Upload-Offset, and Upload-Expires while the upload can still expire or Aio-File-Id once it made a file.</summary>
    private static void DescribeProgress(HttpResponse response, UploadSessionRecord session)
    {
        response.Headers[OffsetHeader] = session.Offset.ToString(CultureInfo.InvariantCulture);
        if (session.Status == UploadStatus.Active)
        {
            response.Headers[ExpiresHeader] = HeaderUtilities.FormatDate(session.ExpiresAt);
        }

        if (session.Status == UploadStatus.Completed && session.FileId is not null)
        {
            response.Headers[FileIdHeader] = session.FileId;
        }
    }

    /// <summary>
    /// No server-wide cap on a tus body: the service stops at exactly the bytes the upload has left. A cap from Kestrel
    /// would break the body off mid-way, which looks the same as a dropped connection and would keep the bytes.
    /// </summary>
    private static void AllowLongBody(HttpContext http)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }
    }

    private static bool IsOffsetOctetStream(HttpRequest request)
        => MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && type.MediaType.Equals(OffsetOctetStream, StringComparison.OrdinalIgnoreCase);

    private static long NonNegative(IHeaderDictionary headers, string name)
    {
        var value = headers[name];
        if (StringValues.IsNullOrEmpty(value))
        {
            throw ValidationFailedException.For(name, $"{name} is required.");
        }

        return value.Count == 1 && long.TryParse(value[0], NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw ValidationFailedException.For(name, $"{name} must be a non-negative integer.");
    }

    private static IResult UnsupportedMediaType()
        => TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
            detail: $"Send the bytes with Content-Type: {OffsetOctetStream}.");

    /// <summary>
    /// The tus rules every tus request shares: a client speaking another version gets 412 with Tus-Version and is not
    /// served; a refusal becomes its tus status code.
    /// </summary>
    private static RouteHandlerBuilder SpeaksTus(this RouteHandlerBuilder endpoint) => endpoint.AddEndpointFilter(async (context, next) =>
    {
        var http = context.HttpContext;
        if (!string.Equals(http.Request.Headers[TusResumableHeader].ToString(), TusVersion, StringComparison.Ordinal))
        {
            http.Response.Headers[TusVersionHeader] = TusVersion;
            return TypedResults.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: "Unsupported tus version",
                detail: $"This server speaks tus {TusVersion}: send Tus-Resumable: {TusVersion}.");
        }

        try
        {
            return await next(context);
        }
        catch (ResumableUploadException refused)
        {
            return TypedResults.Problem(statusCode: StatusOf(refused.Refusal), title: refused.Title, detail: refused.Message);
        }
    });

    private static int StatusOf(UploadRefusal refusal) => refusal switch
    {
        UploadRefusal.TooLarge => StatusCodes.Status413PayloadTooLarge,
        UploadRefusal.OffsetMismatch => StatusCodes.Status409Conflict,
        UploadRefusal.Gone => StatusCodes.Status410Gone,
        UploadRefusal.Locked => StatusCodes.Status423Locked,
        UploadRefusal.ChecksumMismatch => ChecksumMismatch,
        _ => StatusCodes.Status400BadRequest,
    };
}
