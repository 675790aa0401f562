using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace AioStorage.Web.Api;

/// <summary>
/// The web's only way to talk to the api (<c>/api/v1</c>). Error answers become <see cref="ApiProblemException"/>
/// (with the RFC 9457 fields), and an api that does not answer becomes <see cref="ApiUnreachableException"/>.
/// </summary>
public sealed class AioStorageApiClient(HttpClient http, ApiEndpoints endpoints)
{
    private const string ProblemMediaType = "application/problem+json";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<HealthResult> GetHealthAsync(CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "api/v1/health"), cancellationToken);
        stopwatch.Stop();

        // 503 carries the same report as 200: it tells which dependency is down.
        if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable && !IsProblem(response))
        {
            var report = await ReadAsync<HealthReport>(response, cancellationToken);
            // An api that leaves out "checks" still gets its overall status shown.
            report = report with { Checks = report.Checks ?? new Dictionary<string, HealthCheckEntry>() };
            return new HealthResult((int)response.StatusCode, report, stopwatch.Elapsed);
        }

        throw await ToProblemAsync(response, cancellationToken);
    }

    public Task<AuthResult> LoginAsync(LoginRequest request, ApiCaller? caller = null, CancellationToken cancellationToken = default) =>
        SendAsync<AuthResult>(HttpMethod.Post, "api/v1/auth/login", request, caller, cancellationToken);

    public Task<AuthResult> RegisterAsync(RegisterRequest request, ApiCaller? caller = null, CancellationToken cancellationToken = default) =>
        SendAsync<AuthResult>(HttpMethod.Post, "api/v1/auth/register", request, caller, cancellationToken);

    public Task LogoutAsync(ApiCaller caller, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "api/v1/auth/logout", null, caller, cancellationToken);

    public Task<UserProfile> GetCurrentUserAsync(ApiCaller caller, CancellationToken cancellationToken = default) =>
        SendAsync<UserProfile>(HttpMethod.Get, "api/v1/auth/me", null, caller, cancellationToken);

    public Task<IReadOnlyList<SessionInfo>> GetSessionsAsync(ApiCaller caller, CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<SessionInfo>>(HttpMethod.Get, "api/v1/auth/sessions", null, caller, cancellationToken);

    public Task RevokeSessionAsync(ApiCaller caller, string sessionId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/auth/sessions/{Uri.EscapeDataString(sessionId)}", null, caller, cancellationToken);

    public Task<ListPage<AuditEvent>> GetAuditAsync(ApiCaller caller, int page, int limit, CancellationToken cancellationToken = default) =>
        SendAsync<ListPage<AuditEvent>>(HttpMethod.Get, $"api/v1/audit?page={page}&limit={limit}", null, caller, cancellationToken);

    public Task<FolderListing> GetFolderAsync(ApiCaller caller, string folderId, FolderQuery query, CancellationToken cancellationToken = default) =>
        SendAsync<FolderListing>(HttpMethod.Get, $"api/v1/folders/{Uri.EscapeDataString(folderId)}?{query.ToQueryString()}", null, caller, cancellationToken);

    public Task<FolderInfo> CreateFolderAsync(ApiCaller caller, string name, string parentId, CancellationToken cancellationToken = default) =>
        SendAsync<FolderInfo>(HttpMethod.Post, "api/v1/folders", new { name, parentId }, caller, cancellationToken);

    public Task<FolderInfo> RenameFolderAsync(ApiCaller caller, string folderId, string name, CancellationToken cancellationToken = default) =>
        SendAsync<FolderInfo>(HttpMethod.Patch, $"api/v1/folders/{Uri.EscapeDataString(folderId)}", new { name }, caller, cancellationToken);

    /// <param name="parentId">The destination folder's id, <c>"root"</c> for the top.</param>
    public Task<FolderInfo> MoveFolderAsync(ApiCaller caller, string folderId, string parentId, CancellationToken cancellationToken = default) =>
        SendAsync<FolderInfo>(HttpMethod.Patch, $"api/v1/folders/{Uri.EscapeDataString(folderId)}", new { parentId }, caller, cancellationToken);

    public Task DeleteFolderAsync(ApiCaller caller, string folderId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/folders/{Uri.EscapeDataString(folderId)}", null, caller, cancellationToken);

    public Task<DriveFile> GetFileAsync(ApiCaller caller, string fileId, CancellationToken cancellationToken = default) =>
        SendAsync<DriveFile>(HttpMethod.Get, FilePath(fileId), null, caller, cancellationToken);

    public Task<DriveFile> RenameFileAsync(ApiCaller caller, string fileId, string name, CancellationToken cancellationToken = default) =>
        SendAsync<DriveFile>(HttpMethod.Patch, FilePath(fileId), new { name }, caller, cancellationToken);

    /// <param name="folderId">The destination folder's id, <c>"root"</c> for the top (sent as null, which the api reads as the top).</param>
    public Task<DriveFile> MoveFileAsync(ApiCaller caller, string fileId, string folderId, CancellationToken cancellationToken = default) =>
        SendAsync<DriveFile>(HttpMethod.Patch, FilePath(fileId), new { folderId = FolderOrNull(folderId) }, caller, cancellationToken);

    /// <summary>A copy in <paramref name="folderId"/>; the api names it like <c>report (1).pdf</c> when the name is taken there.</summary>
    public Task<DriveFile> CopyFileAsync(ApiCaller caller, string fileId, string folderId, CancellationToken cancellationToken = default) =>
        SendAsync<DriveFile>(HttpMethod.Post, $"{FilePath(fileId)}/copy", new { folderId = FolderOrNull(folderId) }, caller, cancellationToken);

    public Task DeleteFileAsync(ApiCaller caller, string fileId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, FilePath(fileId), null, caller, cancellationToken);

    public Task<DownloadLink> CreateDownloadLinkAsync(ApiCaller caller, string fileId, CancellationToken cancellationToken = default) =>
        SendAsync<DownloadLink>(HttpMethod.Post, $"{FilePath(fileId)}/download-url", null, caller, cancellationToken);

    public Task<MediaLinks> CreateMediaLinksAsync(ApiCaller caller, string fileId, CancellationToken cancellationToken = default) =>
        SendAsync<MediaLinks>(HttpMethod.Post, $"{FilePath(fileId)}/media-url", null, caller, cancellationToken);

    public Task<FileVersionList> GetVersionsAsync(ApiCaller caller, string fileId, CancellationToken cancellationToken = default) =>
        SendAsync<FileVersionList>(HttpMethod.Get, $"{FilePath(fileId)}/versions", null, caller, cancellationToken);

    public Task<DriveFile> RestoreVersionAsync(ApiCaller caller, string fileId, string versionId, CancellationToken cancellationToken = default) =>
        SendAsync<DriveFile>(HttpMethod.Post, $"{FilePath(fileId)}/versions/{Uri.EscapeDataString(versionId)}/restore", null, caller, cancellationToken);

    public Task<ListPage<TrashItem>> GetTrashAsync(ApiCaller caller, int page, int limit, CancellationToken cancellationToken = default) =>
        SendAsync<ListPage<TrashItem>>(HttpMethod.Get, $"api/v1/trash?page={page}&limit={limit}", null, caller, cancellationToken);

    /// <summary>Puts an item back; the answer is the folder or file as it is now (perhaps at the top, perhaps renamed).</summary>
    public Task<DriveItem> RestoreFromTrashAsync(ApiCaller caller, string id, CancellationToken cancellationToken = default) =>
        SendAsync<DriveItem>(HttpMethod.Post, $"api/v1/trash/{Uri.EscapeDataString(id)}/restore", null, caller, cancellationToken);

    public Task PurgeFromTrashAsync(ApiCaller caller, string id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/trash/{Uri.EscapeDataString(id)}", null, caller, cancellationToken);

    public Task EmptyTrashAsync(ApiCaller caller, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, "api/v1/trash", null, caller, cancellationToken);

    /// <summary>Asks for a ZIP of <paramref name="ids"/>, prepared by the worker; the api names it when <paramref name="name"/> is null.</summary>
    public Task<ArchiveJob> CreateArchiveAsync(ApiCaller caller, IReadOnlyList<string> ids, string? name = null, CancellationToken cancellationToken = default) =>
        SendAsync<ArchiveJob>(HttpMethod.Post, "api/v1/archives", new { ids, name }, caller, cancellationToken);

    public Task<ArchiveJob> GetArchiveAsync(ApiCaller caller, string archiveId, CancellationToken cancellationToken = default) =>
        SendAsync<ArchiveJob>(HttpMethod.Get, ArchivePath(archiveId), null, caller, cancellationToken);

    /// <summary>A signed link to the finished ZIP (409 while it is prepared or after it failed, 410 once it expired).</summary>
    public Task<DownloadLink> CreateArchiveLinkAsync(ApiCaller caller, string archiveId, CancellationToken cancellationToken = default) =>
        SendAsync<DownloadLink>(HttpMethod.Post, $"{ArchivePath(archiveId)}/content-url", null, caller, cancellationToken);

    public Task<PingAccepted> SendPingAsync(CancellationToken cancellationToken = default) =>
        SendAsync<PingAccepted>(HttpMethod.Post, "api/v1/system/ping", content: null, caller: null, cancellationToken);

    public Task<PingStatus> GetPingAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync<PingStatus>(HttpMethod.Get, $"api/v1/system/ping/{Uri.EscapeDataString(id)}", content: null, caller: null, cancellationToken);

    private static string FilePath(string fileId) => $"api/v1/files/{Uri.EscapeDataString(fileId)}";

    private static string ArchivePath(string archiveId) => $"api/v1/archives/{Uri.EscapeDataString(archiveId)}";

    private static string? FolderOrNull(string folderId) => folderId == FolderInfo.RootId ? null : folderId;

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? content, ApiCaller? caller, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(Request(method, path, content, caller), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await ToProblemAsync(response, cancellationToken);
        }

        return await ReadAsync<T>(response, cancellationToken);
    }

    private async Task SendAsync(HttpMethod method, string path, object? content, ApiCaller caller, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(Request(method, path, content, caller), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await ToProblemAsync(response, cancellationToken);
        }
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, object? content, ApiCaller? caller)
    {
        var request = new HttpRequestMessage(method, path);
        if (content is not null)
        {
            request.Content = JsonContent.Create(content, content.GetType(), options: Json);
        }

        if (caller?.BearerToken is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        // Browsers send User-Agents that do not always parse as product tokens; the api only stores the text.
        if (caller?.UserAgent is { Length: > 0 } userAgent)
        {
            request.Headers.TryAddWithoutValidation("User-Agent", userAgent);
        }

        return request;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            try
            {
                return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            }
            catch (HttpRequestException ex)
            {
                throw new ApiUnreachableException(endpoints.Server, Describe(ex), ex);
            }
            catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ApiUnreachableException(endpoints.Server, $"no answer within {http.Timeout.TotalSeconds:0} s", ex);
            }
        }
    }

    private static string Describe(HttpRequestException ex) => ex.GetBaseException() switch
    {
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => "connection refused",
        SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData } => "host name not found",
        SocketException socket => socket.Message,
        var inner => inner.Message,
    };

    private static bool IsProblem(HttpResponseMessage response) =>
        string.Equals(response.Content.Headers.ContentType?.MediaType, ProblemMediaType, StringComparison.OrdinalIgnoreCase);

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken)
                ?? throw new JsonException("empty body");
        }
        catch (JsonException ex)
        {
            throw new ApiProblemException(new ApiProblem(
                (int)response.StatusCode,
                "Unexpected answer from the api",
                $"The api's answer to {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath} could not be read ({ex.Message}).",
                null,
                new Dictionary<string, string[]>()));
        }
    }

    private static async Task<ApiProblemException> ToProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!IsProblem(response))
        {
            return new ApiProblemException(ApiProblem.FromStatus(response.StatusCode, response.ReasonPhrase));
        }

        try
        {
            using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            return new ApiProblemException(ReadProblem(document.RootElement, response));
        }
        catch (JsonException)
        {
            return new ApiProblemException(ApiProblem.FromStatus(response.StatusCode, response.ReasonPhrase));
        }
    }

    private static ApiProblem ReadProblem(JsonElement root, HttpResponseMessage response)
    {
        string? Text(string name) =>
            root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;

        var status = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("status", out var s) && s.TryGetInt32(out var code)
            ? code
            : (int)response.StatusCode;

        var errors = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("errors", out var fields) && fields.ValueKind == JsonValueKind.Object)
        {
            foreach (var field in fields.EnumerateObject())
            {
                errors[field.Name] = field.Value.ValueKind switch
                {
                    JsonValueKind.Array => [.. field.Value.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)],
                    JsonValueKind.String => [field.Value.GetString()!],
                    _ => [],
                };
            }
        }

        return new ApiProblem(status, Text("title") ?? response.ReasonPhrase, Text("detail"), Text("type"), errors);
    }
}
