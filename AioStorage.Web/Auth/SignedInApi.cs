using AioStorage.Web.Api;

namespace AioStorage.Web.Auth;

/// <summary>
/// The api as the signed-in user. Every call goes out with the session's token; a 401 answer, wherever it comes from,
/// ends the session (pages behind <c>SignedIn</c> then send the person to sign in again) and surfaces as
/// <see cref="SessionEndedException"/>.
/// </summary>
public sealed class SignedInApi(AioStorageApiClient api, UserSession session)
{
    public Task<UserProfile> GetCurrentUserAsync(CancellationToken cancellationToken = default) =>
        CallAsync(caller => api.GetCurrentUserAsync(caller, cancellationToken));

    public Task<IReadOnlyList<SessionInfo>> GetSessionsAsync(CancellationToken cancellationToken = default) =>
        CallAsync(caller => api.GetSessionsAsync(caller, cancellationToken));

    public Task RevokeSessionAsync(string sessionId, CancellationToken cancellationToken = default) =>
        CallAsync(caller => api.RevokeSessionAsync(caller, sessionId, cancellationToken));

    public Task<ListPage<AuditEvent>> GetAuditAsync(int page, int limit, CancellationToken cancellationToken = default) =>
        CallAsync(caller => api.GetAuditAsync(caller, page, limit, cancellationToken));

    public Task<FolderListing> GetFolderAsync(string folderId, FolderQuery query, CancellationToken cancellationToken = default) =>
        CallAsync(caller => api.GetFolderAsync(caller, folderId, query, cancellationToken));

    public Task<FolderInfo> CreateFolderAsync(string name, string parentId, CancellationToken cancellationToken = default) =>
        CallAsync(caller => api.CreateFolderAsync(caller, name, parentId, cancellationToken));

    public Task<FolderInfo> RenameFolderAsync(string folderId, string name, CancellationToken cancellationToken = default) =>
        CallAsync(caller => api.RenameFolderAsync(caller, folderId, name, cancellationToken));

    public Task<FolderInfo> MoveFolderAsync(string folderId, string parentId, CancellationToken cancellationToken = default) =>
        CallAsync(caller => api.MoveFolderAsync(caller, folderId, parentId, cancellationToken));

    public Task DeleteFolderAsync(string folderId, CancellationToken cancellationToken = default) =>
        CallAsync(caller => api.DeleteFolderAsync(caller, folderId, cancellationToken));

    public Task<DriveFile> GetFileAsync(string fileId, CancellationToken cancellationToken = default) =>
        CallAsync(caller => api.GetFileAsync(caller, fileId, cancellationToken));

    public Task<DriveFile> RenameFileAsync(string fileId, string name, CancellationToken cancellationToken = default) =>
        CallAsync(caller => api.RenameFileAsync(caller, fileId, name, cancellationToken));

    public Task<DriveFile> MoveFileAsync(string fileId, string folderId, CancellationToken cancellationToken = default) =>
        CallAsync(caller => api.MoveFileAsync(caller, fileId, folderId, cancellationToken));

    public Task<DriveFile> CopyFileAsync(string fileId, string folderId, CancellationToken cancellationToken = default) =>
        CallAsync(caller => api.CopyFileAsync(caller, fileId, folderId, cancellationToken));

    public Task DeleteFileAsync(string fileId, CancellationToken cancellationToken = default) =>
        CallAsync(caller => api.DeleteFileAsync(caller, fileId, cancellationToken));

    public Task<DownloadLink> CreateDownloadLinkAsync(string fileId, CancellationToken cancellationToken = default) =>
        CallAsync(caller => api.CreateDownloadLinkAsync(caller, fileId, cancellationToken));

    public Task<MediaLinks> CreateMediaLinksAsync(string fileId, CancellationToken cancellationToken = default) =>
        CallAsync(caller => api.CreateMediaLinksAsync(caller, fileId, cancellationToken));

    public Task<FileVersionList> GetVersionsAsync(string fileId, CancellationToken cancellationToken = default) =>
        CallAsync(caller => api.GetVersionsAsync(caller, fileId, cancellationToken));

    public Task<DriveFile> RestoreVersionAsync(string fileId, string versionId, CancellationToken cancellationToken = default) =>
        CallAsync(caller => api.RestoreVersionAsync(caller, fileId, versionId, cancellationToken));

    public Task<ListPage<TrashItem>> GetTrashAsync(int page, int limit, CancellationToken cancellationToken = default) =>
        CallAsync(caller => api.GetTrashAsync(caller, page, limit, cancellationToken));

    public Task<DriveItem> RestoreFromTrashAsync(string id, CancellationToken cancellationToken = default) =>
        CallAsync(caller => api.RestoreFromTrashAsync(caller, id, cancellationToken));

    public Task PurgeFromTrashAsync(string id, CancellationToken cancellationToken = default) =>
        CallAsync(caller => api.PurgeFromTrashAsync(caller, id, cancellationToken));

    public Task EmptyTrashAsync(CancellationToken cancellationToken = default) =>
        CallAsync(caller => api.EmptyTrashAsync(caller, cancellationToken));

    public Task<ArchiveJob> CreateArchiveAsync(IReadOnlyList<string> ids, string? name = null, CancellationToken cancellationToken = default) =>
        CallAsync(caller => api.CreateArchiveAsync(caller, ids, name, cancellationToken));

    public Task<ArchiveJob> GetArchiveAsync(string archiveId, CancellationToken cancellationToken = default) =>
        CallAsync(caller => api.GetArchiveAsync(caller, archiveId, cancellationToken));

    public Task<DownloadLink> CreateArchiveLinkAsync(string archiveId, CancellationToken cancellationToken = default) =>
        CallAsync(caller => api.CreateArchiveLinkAsync(caller, archiveId, cancellationToken));

    /// <summary>Reads the profile again so the storage bar follows what an action freed or took.</summary>
    public async Task RefreshProfileAsync(CancellationToken cancellationToken = default) =>
        await session.UpdateUserAsync(await GetCurrentUserAsync(cancellationToken));

    private async Task CallAsync(Func<ApiCaller, Task> call) =>
        await CallAsync(async caller =>
        {
            await call(caller);
            return true;
        });

    private async Task<T> CallAsync<T>(Func<ApiCaller, Task<T>> call)
    {
        var caller = session.Caller ?? throw new SessionEndedException();
        try
        {
            return await call(caller);
        }
        catch (ApiProblemException refused) when (refused.Status == StatusCodes.Status401Unauthorized)
        {
            await session.EndAsync();
            throw new SessionEndedException(refused);
        }
    }
}
