using System.Security.Claims;
using System.Text.Json.Nodes;
using AioStorage.Api.Http;
using AioStorage.Core.Audit;
using AioStorage.Core.Blobs;
using AioStorage.Core.Errors;
using AioStorage.Core.Files;
using AioStorage.Core.Folders;
using AioStorage.Core.Media;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace AioStorage.Api.Endpoints;

public sealed record CopyFileRequest(string? FolderId, string? Name);

public sealed record FileVersionResponse(string Id, long Size, string MimeType, string Sha256, DateTimeOffset CreatedAt, bool Current);

public static class FileEndpoints
{
    /// <summary>Room for the multipart envelope around the file (boundaries, part headers, the small form fields).</summary>
    private const long MultipartOverhead = 64 * 1024;

    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public static RouteGroupBuilder MapFileEndpoints(this RouteGroupBuilder api)
    {
        var files = api.MapGroup("/files").WithTags("Files");

        files.MapPost("/upload", Upload)
            .WithName("UploadFile")
            .WithSummary("Upload a file (multipart/form-data: file, folderId?, name?), streamed to disk")
            .WithDescription("Up to MAX_FILE_SIZE bytes (413 above; use /uploads for larger, resumable uploads), 507 over quota. "
                + "A name already used in the folder makes the upload a new version of that file (onConflict=version, the default); "
                + "onConflict=rename picks a free name like 'report (1).pdf'; onConflict=fail answers 409.")
            .DisableAntiforgery()
            .Accepts<IFormFile>("multipart/form-data")
            .Produces<FileResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status507InsufficientStorage);

        files.MapGet("/", async (string? folderId, int? page, int? limit, string? sort, string? order, ClaimsPrincipal user, FileService service, MediaUrls media, CancellationToken ct) =>
            {
                var paging = Paging.From(page, limit);
                var result = await service.ListAsync(user.UserId(), folderId, paging.ToNodeQuery(sort, order), ct);
                return TypedResults.Ok(new PageResponse<object>([.. result.Items.Select(node => NodeResponses.From(node, media))], paging.Page, paging.Limit, result.Total));
            })
            .WithName("ListFiles")
            .WithSummary("Files of a folder (the root without folderId), paged and sorted");

        files.MapGet("/{id}", async (string id, ClaimsPrincipal user, FileService service, MediaUrls media, ProcessingProgressStore progress, CancellationToken ct) =>
            {
                var file = await service.GetAsync(user.UserId(), id, ct);
                return TypedResults.Ok(FileResponse.From(file, media) with
                {
                    Processing = ProcessingResponse.From(await progress.GetAsync(file.Id, file.Sha256)),
                });
            })
            .WithName("GetFile")
            .WithSummary("A file's metadata, with the worker's progress (processing: {stage, percent}) while it runs")
            .ProducesProblem(StatusCodes.Status404NotFound);

        files.MapPatch("/{id}", async (string id, JsonObject body, ClaimsPrincipal user, FileService service, MediaUrls media, HttpContext http, CancellationToken ct) =>
            {
                var name = JsonBody.OptionalString(body, "name");
                var moveTo = body.ContainsKey("folderId") ? JsonBody.OptionalString(body, "folderId") ?? FolderService.RootId : null;
                return TypedResults.Ok(FileResponse.From(await service.UpdateAsync(user.UserId(), id, name, moveTo, http.Client(), ct), media));
            })
            .WithName("UpdateFile")
            .WithSummary("Rename and/or move a file (folderId null or \"root\" moves it to the top)")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        files.MapPost("/{id}/copy", async (string id, CopyFileRequest request, ClaimsPrincipal user, FileService service, MediaUrls media, HttpContext http, CancellationToken ct) =>
            {
                var copy = await service.CopyAsync(user.UserId(), id, request.FolderId, request.Name, http.Client(), ct);
                return TypedResults.Created($"/api/v1/files/{copy.Id}", FileResponse.From(copy, media));
            })
            .WithName("CopyFile")
            .WithSummary("Copy a file (no bytes are duplicated on disk; the copy counts against the quota)")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status507InsufficientStorage);

        files.MapDelete("/{id}", async (string id, ClaimsPrincipal user, FileService service, HttpContext http, CancellationToken ct) =>
            {
                await service.DeleteAsync(user.UserId(), id, http.Client(), ct);
                return TypedResults.NoContent();
            })
            .WithName("DeleteFile")
            .WithSummary("Move a file to the trash")
            .ProducesProblem(StatusCodes.Status404NotFound);

        files.MapMethods("/{id}/download", [HttpMethods.Get, HttpMethods.Head], Download)
            .AllowAnonymous()
            .WithName("DownloadFile")
            .WithSummary("The file's bytes: ranges (206, multipart/byteranges), conditional requests (304, 412), 416")
            .WithDescription("With a bearer token, or with the uid/exp/sig query of a link from POST /files/{id}/download-url.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        files.MapPost("/{id}/download-url", async (string id, ClaimsPrincipal user, FileService service, DownloadUrls urls, CancellationToken ct) =>
            {
                var file = await service.GetAsync(user.UserId(), id, ct);
                return TypedResults.Ok(await urls.CreateAsync(user.UserId(), file.Id));
            })
            .WithName("CreateDownloadUrl")
            .WithSummary("A signed download link, valid 10 minutes, usable without a bearer header")
            .ProducesProblem(StatusCodes.Status404NotFound);

        files.MapGet("/{id}/versions", async (string id, ClaimsPrincipal user, FileService service, CancellationToken ct) =>
            {
                var history = await service.ListVersionsAsync(user.UserId(), id, ct);
                var current = new FileVersionResponse(history.File.CurrentVersionId ?? history.File.Id, history.File.Size, history.File.MimeType,
                    history.File.Sha256, history.File.UpdatedAt, true);
                return TypedResults.Ok(new
                {
                    items = (IEnumerable<FileVersionResponse>)[current, .. history.Earlier.Select(v => new FileVersionResponse(v.Id, v.Size, v.MimeType, v.Sha256, v.CreatedAt, false))],
                });
            })
            .WithName("ListFileVersions")
            .WithSummary("The file's current content and its earlier versions, newest first")
            .ProducesProblem(StatusCodes.Status404NotFound);

        files.MapPost("/{id}/versions/{versionId}/restore", async (string id, string versionId, ClaimsPrincipal user, FileService service, MediaUrls media, HttpContext http, CancellationToken ct) =>
                TypedResults.Ok(FileResponse.From(await service.RestoreVersionAsync(user.UserId(), id, versionId, http.Client(), ct), media)))
            .WithName("RestoreFileVersion")
            .WithSummary("Make an earlier version current again (the current content becomes a version)")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return api;
    }

    private static async Task<IResult> Upload(HttpContext http, ClaimsPrincipal user, FileService service, MediaUrls media, string? onConflict, CancellationToken ct)
    {
        var policy = onConflict?.ToLowerInvariant() switch
        {
            null or "" or "version" => NameConflictPolicy.Version,
            "rename" => NameConflictPolicy.Rename,
            "fail" => NameConflictPolicy.Fail,
            _ => throw ValidationFailedException.For("onConflict", "onConflict is version, rename or fail."),
        };
        if (!MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is not { Length: > 0 and <= 200 } boundary)
        {
            throw ValidationFailedException.For("file", "Send the file as multipart/form-data with a 'file' part.");
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = service.MaxFileSize + MultipartOverhead;
        }

        var declared = http.Request.ContentLength is { } length ? Math.Max(0, length - MultipartOverhead) : (long?)null;
        // The default 4 KiB buffer makes boundary scanning the bottleneck of a large upload (about 120 MiB/s here); much
        // more than 64 KiB and the bytes drop out of the CPU's cache between the socket, this buffer and the disk.
        var reader = new MultipartReader(boundary, http.Request.Body, 64 * 1024) { HeadersLengthLimit = 16 * 1024 };
        string? folderId = null;
        string? name = null;
        while (await reader.ReadNextSectionAsync(ct) is { } section)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
            {
                continue;
            }

            var field = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
            if (disposition.IsFileDisposition() && field == "file")
            {
                var fileName = name ?? HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                var mimeType = MimeTypeOf(fileName, section.ContentType);
                var file = await service.UploadAsync(user.UserId(), folderId, fileName, mimeType, policy, section.Body, declared, http.Client(), ct);
                return TypedResults.Created($"/api/v1/files/{file.Id}", FileResponse.From(file, media));
            }

            if (field is "folderId" or "name")
            {
                var value = await new FormMultipartSection(section).GetValueAsync(ct);
                if (value.Length > 1024)
                {
                    throw ValidationFailedException.For(field, $"{field} is too long.");
                }

                (folderId, name) = field == "folderId" ? (value, name) : (folderId, value);
            }
        }

        throw ValidationFailedException.For("file", "The form has no 'file' part (send folderId and name before it).");
    }

    private static async Task<IResult> Download(string id, HttpContext http, FileService service, BlobStore blobs, DownloadUrls urls, AuditLog audit,
        string? uid, string? exp, string? sig, CancellationToken ct)
    {
        var (caller, refusal) = urls.Signer.Caller(http, id, uid, exp, sig);
        if (caller is not { } userId)
        {
            return refusal!;
        }

        var file = await service.GetAsync(userId, id, ct);
        var range = http.Request.Headers.Range.ToString();
        if (HttpMethods.IsGet(http.Request.Method) && (range.Length == 0 || range.Replace(" ", string.Empty, StringComparison.Ordinal).StartsWith("bytes=0-", StringComparison.OrdinalIgnoreCase)))
        {
            // Once per download, not once per seek of a video player.
            await audit.RecordAsync(userId, AuditActions.FileDownload, file.Id, http.Client(), ct,
                new Dictionary<string, string> { ["name"] = file.Name, ["via"] = sig is null ? "token" : "signed-url" });
        }

        return new BlobDownloadResult(blobs, file, inline: false);
    }

    internal static string MimeTypeOf(string? fileName, string? declared)
    {
        if (!string.IsNullOrWhiteSpace(declared) && MediaTypeHeaderValue.TryParse(declared, out var parsed)
            && !parsed.MediaType.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase))
        {
            return parsed.MediaType.ToString().ToLowerInvariant();
        }

        return fileName is not null && ContentTypes.TryGetContentType(fileName, out var byExtension) ? byExtension : "application/octet-stream";
    }
}
