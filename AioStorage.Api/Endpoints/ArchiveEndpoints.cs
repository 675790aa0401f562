using System.Security.Claims;
using AioStorage.Api.Http;
using AioStorage.Core.Accounts;
using AioStorage.Core.Archives;
using AioStorage.Core.Metadata;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace AioStorage.Api.Endpoints;

public sealed record CreateArchiveRequest(IReadOnlyList<string?>? Ids, string? Name);

public sealed record SkippedItemResponse(string Id, string Reason);

/// <summary>
/// An archive job: <c>progress</c> is the fraction of the selection's bytes written (0 to 1); <c>fileCount</c> and
/// <c>totalBytes</c> are known once the worker has walked the selection, <c>size</c> (the ZIP's bytes) once it is completed.
/// </summary>
public sealed record ArchiveResponse(
    string Id,
    string Status,
    double Progress,
    string Name,
    long? Size,
    int? FileCount,
    long? TotalBytes,
    IReadOnlyList<SkippedItemResponse> Skipped,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ExpiresAt)
{
    public static ArchiveResponse From(ArchiveView archive) => new(
        archive.Job.Id,
        archive.Status.ToString().ToLowerInvariant(),
        archive.Job.Progress,
        archive.Name,
        archive.Status == JobStatus.Completed ? archive.Result?.Size : null,
        archive.Result?.FileCount,
        archive.Result?.TotalBytes,
        [.. (archive.Result?.Skipped ?? []).Select(s => new SkippedItemResponse(s.Id, s.Reason))],
        archive.Job.Error,
        archive.Job.CreatedAt,
        archive.Job.UpdatedAt,
        archive.Job.ExpiresAt);
}

public static class ArchiveEndpoints
{
    public static RouteGroupBuilder MapArchiveEndpoints(this RouteGroupBuilder api)
    {
        var archives = api.MapGroup("/archives").WithTags("Archives");

        archives.MapPost("/", async (CreateArchiveRequest request, ClaimsPrincipal user, ArchiveService service, HttpContext http, CancellationToken ct) =>
            {
                var archive = await service.CreateAsync(user.UserId(), request.Ids, request.Name, http.Client(), ct);
                return TypedResults.Accepted($"/api/v1/archives/{archive.Job.Id}", ArchiveResponse.From(archive));
            })
            .WithName("CreateArchive")
            .WithSummary("Ask for a ZIP of some of your files and folders ({ids:[...], name?}), prepared in the background")
            .WithDescription($"1 to {ArchiveJobs.MaxSelection} ids of your own live files and folders (folders are zipped with everything in them); "
                + "name defaults to the single folder's name or 'AIO Storage <date>.zip'. Answers 202 with the job; follow Location for its status.")
            .Produces<ArchiveResponse>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        archives.MapGet("/{id}", async (string id, ClaimsPrincipal user, ArchiveService service, CancellationToken ct) =>
                TypedResults.Ok(ArchiveResponse.From(await service.GetAsync(user.UserId(), id, ct))))
            .WithName("GetArchive")
            .WithSummary("An archive job's status (queued, running, completed, failed, expired) and progress (0 to 1)")
            .ProducesProblem(StatusCodes.Status404NotFound);

        archives.MapMethods("/{id}/content", [HttpMethods.Get, HttpMethods.Head], Content)
            .AllowAnonymous()
            .WithName("DownloadArchive")
            .WithSummary("The finished ZIP: single byte ranges (206), conditional requests (304, 412), 416")
            .WithDescription("With a bearer token, or with the uid/exp/sig query of a link from POST /archives/{id}/content-url. "
                + "409 while the archive is being prepared or when it failed, 410 once it expired.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status410Gone);

        archives.MapPost("/{id}/content-url", async (string id, ClaimsPrincipal user, ArchiveService service, ArchiveContentUrls urls, CancellationToken ct) =>
            {
                try
                {
                    var content = await service.GetContentAsync(user.UserId(), id, ct);
                    return Results.Ok(urls.Create(user.UserId(), content.Archive.Job.Id, content.Archive.Job.ExpiresAt));
                }
                catch (ArchiveGoneException gone)
                {
                    return Gone(gone);
                }
            })
            .WithName("CreateArchiveContentUrl")
            .WithSummary("A signed link to the finished ZIP, valid 10 minutes (at most until the archive expires), usable without a bearer header")
            .Produces<DownloadUrl>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status410Gone);

        return api;
    }

    private static async Task<IResult> Content(string id, HttpContext http, ArchiveService service, ArchiveContentUrls urls,
        string? uid, string? exp, string? sig, CancellationToken ct)
    {
        var (caller, refusal) = urls.Signer.Caller(http, id, uid, exp, sig);
        if (caller is not { } userId)
        {
            return refusal!;
        }

        ArchiveContent content;
        try
        {
            content = await service.GetContentAsync(userId, id, ct);
        }
        catch (ArchiveGoneException gone)
        {
            return Gone(gone);
        }

        var range = http.Request.Headers.Range.ToString();
        if (HttpMethods.IsGet(http.Request.Method)
            && (range.Length == 0 || range.Replace(" ", string.Empty, StringComparison.Ordinal).StartsWith("bytes=0-", StringComparison.OrdinalIgnoreCase)))
        {
            // Audited once per download, when its bytes start to go out: not for a later range of a resuming download
            // manager, a cache revalidation (304) or a failed precondition (412).
            var client = http.Client();
            http.Response.OnStarting(async () =>
            {
                if (http.Response.StatusCode is StatusCodes.Status200OK or StatusCodes.Status206PartialContent)
                {
                    await service.RecordDownloadAsync(userId, content, sig is null ? "token" : "signed-url", client, CancellationToken.None);
                }
            });
        }

        var response = http.Response;
        response.Headers.ContentDisposition = ContentDispositionHeader.Create(content.Archive.Name);
        response.Headers.CacheControl = "private, no-cache";
        response.Headers.XContentTypeOptions = "nosniff";
        // A finished archive never changes, so its job id is a strong validator. ASP.NET Core's file result does the
        // conditional requests and single byte ranges; a multi-range request gets the whole file, as RFC 9110 allows.
        return TypedResults.PhysicalFile(content.Path, "application/zip", fileDownloadName: null, content.LastModified,
            new EntityTagHeaderValue($"\"{content.Archive.Job.Id}\""), enableRangeProcessing: true);
    }

    private static ProblemHttpResult Gone(ArchiveGoneException gone) =>
        TypedResults.Problem(statusCode: StatusCodes.Status410Gone, title: "Gone", detail: gone.Message);
}

/// <summary>
/// Signed links to a finished archive, as <see cref="DownloadUrls"/> makes them for files:
/// <c>/api/v1/archives/{id}/content?uid=…&amp;exp=…&amp;sig=…</c>, sig an HMAC-SHA256 over the archive, the user and the
/// expiry, with a key of its own derived from the JWT secret, so a file link's signature never opens an archive.
/// </summary>
public sealed class ArchiveContentUrls(JwtOptions jwt, TimeProvider time)
{
    public LinkSigner Signer { get; } = new(jwt, time, "archive", "download link", "POST /api/v1/archives/{id}/content-url");

    /// <summary>Valid for <see cref="DownloadUrls.DefaultLifetime"/>, but never past the archive's own expiry.</summary>
    public DownloadUrl Create(string userId, string jobId, DateTimeOffset? archiveExpiresAt)
    {
        var expiresAt = time.GetUtcNow() + DownloadUrls.DefaultLifetime;
        if (archiveExpiresAt is { } archiveExpiry && archiveExpiry < expiresAt)
        {
            expiresAt = archiveExpiry;
        }

        var exp = expiresAt.ToUnixTimeSeconds();
        var link = $"/api/v1/archives/{Uri.EscapeDataString(jobId)}/content?uid={Uri.EscapeDataString(userId)}&exp={exp}&sig={Signer.Sign(jobId, userId, exp)}";
        return new DownloadUrl(link, DateTimeOffset.FromUnixTimeSeconds(exp));
    }
}

public static class ArchivesRegistration
{
    /// <summary>Archive jobs and their downloads; <see cref="ArchiveOptions"/> from the <c>Archives</c> section, validated at start.</summary>
    public static WebApplicationBuilder AddAioArchives(this WebApplicationBuilder builder)
    {
        builder.Services.AddArchiveOptions(builder.Configuration);
        builder.Services.AddSingleton<ArchiveFiles>();
        builder.Services.AddSingleton<ArchiveContentUrls>();
        builder.Services.AddScoped<ArchiveService>();
        return builder;
    }
}
