using AioStorage.Core.Accounts;
using AioStorage.Core.Metadata;

namespace AioStorage.Core.Audit;

/// <summary>The actions the audit log records, as stored (stable strings: clients filter on them).</summary>
public static class AuditActions
{
    public const string SignUp = "auth.signup";
    public const string SignIn = "auth.signin";
    public const string SignInFailed = "auth.signin-failed";
    public const string SignOut = "auth.signout";
    public const string SessionRevoked = "auth.session-revoked";
    public const string FolderCreate = "folder.create";
    public const string FolderRename = "folder.rename";
    public const string FolderMove = "folder.move";
    public const string FolderDelete = "folder.delete";
    public const string FileUpload = "file.upload";
    public const string FileDownload = "file.download";
    public const string FileRename = "file.rename";
    public const string FileMove = "file.move";
    public const string FileCopy = "file.copy";
    public const string FileDelete = "file.delete";
    public const string VersionRestore = "file.version-restore";
    public const string TrashRestore = "trash.restore";
    public const string TrashPurge = "trash.purge";
}

/// <summary>Records and lists a user's audit events; writes go through the batching <see cref="AuditWriter"/>.</summary>
public sealed class AuditLog(AuditWriter writer, IAuditStore store, TimeProvider time)
{
    public Task RecordAsync(string userId, string action, string? resourceId, ClientInfo client, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? details = null)
        => writer.EnqueueAsync(new AuditEventRecord(
            Ids.New(), userId, action, resourceId, details ?? new Dictionary<string, string>(), client.IpAddress, client.UserAgent, time.GetUtcNow()),
            cancellationToken).AsTask();

    public async Task<Page<AuditEventRecord>> ListAsync(string userId, int skip, int limit, CancellationToken cancellationToken)
    {
        await writer.FlushAsync(cancellationToken);
        return await store.ListAsync(userId, skip, limit, cancellationToken);
    }
}
