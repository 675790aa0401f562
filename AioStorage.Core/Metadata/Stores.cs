namespace AioStorage.Core.Metadata;

/// <summary>A unique rule would be broken (a taken email, a name already used in a folder).</summary>
public sealed class MetadataConflictException(string field, string message) : Exception(message)
{
    /// <summary>What clashed: "email", "username", "name".</summary>
    public string Field { get; } = field;
}

public interface IUserStore
{
    /// <exception cref="MetadataConflictException">email or username taken (compared case-insensitively).</exception>
    Task CreateAsync(UserRecord user, CancellationToken cancellationToken);

    Task<UserRecord?> GetByIdAsync(string id, CancellationToken cancellationToken);

    /// <summary>Case-insensitive.</summary>
    Task<UserRecord?> GetByEmailAsync(string email, CancellationToken cancellationToken);

    /// <summary>Case-insensitive.</summary>
    Task<UserRecord?> GetByUsernameAsync(string username, CancellationToken cancellationToken);

    /// <summary>
    /// Adds <paramref name="bytes"/> to the user's usage only if the result stays within the quota, atomically:
    /// two parallel reservations can never both pass when only one fits. False when it would not fit.
    /// </summary>
    Task<bool> TryReserveStorageAsync(string userId, long bytes, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Atomically adds a (possibly negative) delta to the usage, whatever the quota; never goes below zero.</summary>
    Task AdjustStorageUsedAsync(string userId, long delta, DateTimeOffset at, CancellationToken cancellationToken);
}

public enum NodeSortField
{
    Name,
    Size,
    CreatedAt,
    UpdatedAt,
}

/// <summary>
/// Paging and sorting of a listing. Folders always come before files; each group is sorted by <see cref="Sort"/>.
/// <see cref="Type"/> restricts the listing to folders or to files.
/// </summary>
public sealed record NodeListQuery(int Skip, int Limit, NodeSortField Sort = NodeSortField.Name, bool Descending = false, NodeType? Type = null);

/// <summary>
/// Folders and files of every user's tree. Names are unique among the live children of a folder, compared
/// case-insensitively after Unicode normalization (NFC); trashed nodes do not hold their names.
/// Every method is scoped by owner: another user's id behaves as if it did not exist.
/// </summary>
public interface INodeStore
{
    /// <exception cref="MetadataConflictException">field "name": a live sibling has that name.</exception>
    Task CreateAsync(NodeRecord node, CancellationToken cancellationToken);

    /// <summary>The node, live or trashed; null when it does not exist or belongs to someone else.</summary>
    Task<NodeRecord?> GetAsync(string ownerId, string id, CancellationToken cancellationToken);

    /// <summary>The live child of <paramref name="parentId"/> (null: root) with that name, compared as names are.</summary>
    Task<NodeRecord?> FindChildByNameAsync(string ownerId, string? parentId, string name, CancellationToken cancellationToken);

    /// <summary>Live children of a folder (null: root), folders first, then sorted and paged.</summary>
    Task<Page<NodeRecord>> ListChildrenAsync(string ownerId, string? parentId, NodeListQuery query, CancellationToken cancellationToken);

    /// <summary>The folders from the top of the tree down to the parent of <paramref name="folderId"/> (empty at the root).</summary>
    Task<IReadOnlyList<FolderRecord>> GetAncestorsAsync(string ownerId, string folderId, CancellationToken cancellationToken);

    /// <summary>
    /// Renames and/or moves a live node (one document: atomic). The caller has checked that the target folder
    /// exists and is not the node or one of its descendants.
    /// </summary>
    /// <exception cref="MetadataConflictException">field "name": a live sibling at the target has that name.</exception>
    Task<NodeRecord?> RenameOrMoveAsync(string ownerId, string id, string name, string? parentId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Puts a live node and, for a folder, everything under it in the trash (TrashId = <paramref name="id"/>).
    /// Idempotent: a repeat after a crash finishes the job. Returns the nodes that were trashed by this call and before it.
    /// </summary>
    Task<IReadOnlyList<NodeRecord>> TrashAsync(string ownerId, string id, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>What the user put in the trash (the nodes whose TrashId is their own id), most recently deleted first.</summary>
    Task<Page<NodeRecord>> ListTrashAsync(string ownerId, int skip, int limit, CancellationToken cancellationToken);

    /// <summary>Every node trashed together under <paramref name="trashId"/> (the root and all it held).</summary>
    Task<IReadOnlyList<NodeRecord>> GetTrashGroupAsync(string ownerId, string trashId, CancellationToken cancellationToken);

    /// <summary>
    /// Brings a trash group back: every member first, then the root, which is put under <paramref name="parentId"/>
    /// as <paramref name="name"/>. The root stays in the trash until the very last step, so a restore cut short is
    /// finished by calling this again. Null when no such group is in the owner's trash.
    /// </summary>
    /// <exception cref="MetadataConflictException">field "name": a live sibling at the target has that name.</exception>
    Task<NodeRecord?> RestoreAsync(string ownerId, string trashId, string? parentId, string name, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes one node record for good and returns it; only one caller ever gets a given node back, so whoever frees
    /// its storage and blob does it exactly once. Null when it is already gone.
    /// </summary>
    Task<NodeRecord?> DeleteAsync(string ownerId, string id, CancellationToken cancellationToken);

    /// <summary>Trash roots of every user deleted before <paramref name="cutoff"/>, oldest first (retention).</summary>
    Task<IReadOnlyList<NodeRecord>> ListTrashDeletedBeforeAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Points a live file at new content (after an upload over it or a version restore), only if it still has
    /// <paramref name="expectedSha256"/> and <paramref name="expectedVersionId"/>: two replacements racing cannot both win.
    /// Resets status to processing. Null when the file changed meanwhile or is gone.
    /// </summary>
    Task<FileRecord?> ReplaceContentAsync(string ownerId, string fileId, string expectedSha256, string? expectedVersionId,
        string sha256, long size, string mimeType, string versionId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Records what processing found (worker): status, reason, detected type and media metadata. Not owner-scoped.</summary>
    Task<FileRecord?> UpdateProcessingAsync(string fileId, string expectedSha256, FileStatus status, string? statusReason,
        string? mimeType, MediaInfo? media, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Live files of the owner whose name contains <paramref name="text"/> (case-insensitive), for search.</summary>
    Task<Page<NodeRecord>> SearchAsync(string ownerId, string text, NodeType? type, int skip, int limit, CancellationToken cancellationToken);
}

/// <summary>Earlier contents of files. Each version holds a reference on its blob and counts in its owner's usage.</summary>
public interface IFileVersionStore
{
    Task AddAsync(FileVersionRecord version, CancellationToken cancellationToken);

    /// <summary>The file's earlier versions, newest first.</summary>
    Task<IReadOnlyList<FileVersionRecord>> ListAsync(string ownerId, string fileId, CancellationToken cancellationToken);

    Task<FileVersionRecord?> GetAsync(string ownerId, string versionId, CancellationToken cancellationToken);

    /// <summary>Deletes and returns the version; only one caller ever gets it back (see <see cref="INodeStore.DeleteAsync"/>).</summary>
    Task<FileVersionRecord?> DeleteAsync(string ownerId, string versionId, CancellationToken cancellationToken);
}

/// <summary>The reference count of one stored content (blob), by SHA-256.</summary>
public sealed record BlobRecord(string Sha256, long Size, long References, DateTimeOffset? OrphanedAt);

/// <summary>
/// How many file records and versions point at each blob. A blob whose count fell to zero is an orphan; the collector
/// deletes orphans after a grace period (see the blob store for the order that makes this safe against a concurrent upload).
/// </summary>
public interface IBlobReferenceStore
{
    /// <summary>Adds one reference (creating the record, clearing any orphan mark), atomically.</summary>
    Task AddReferenceAsync(string sha256, long size, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Removes one reference atomically (never below zero); at zero the blob is marked orphaned at <paramref name="at"/>. Returns what is left.</summary>
    Task<long> ReleaseReferenceAsync(string sha256, DateTimeOffset at, CancellationToken cancellationToken);

    Task<BlobRecord?> GetAsync(string sha256, CancellationToken cancellationToken);

    /// <summary>Blobs with no reference since before <paramref name="orphanedBefore"/>.</summary>
    Task<IReadOnlyList<BlobRecord>> ListOrphansAsync(DateTimeOffset orphanedBefore, int limit, CancellationToken cancellationToken);

    /// <summary>Deletes the record only if it still has no reference and was orphaned before the cutoff; true when deleted.</summary>
    Task<bool> DeleteIfOrphanedAsync(string sha256, DateTimeOffset orphanedBefore, CancellationToken cancellationToken);
}

/// <summary>Resumable (tus) uploads. Offsets only move forward, by compare-and-set, so two writers can never both advance one upload.</summary>
public interface IUploadSessionStore
{
    Task CreateAsync(UploadSessionRecord session, CancellationToken cancellationToken);

    /// <summary>The session, if it belongs to the owner.</summary>
    Task<UploadSessionRecord?> GetAsync(string ownerId, string id, CancellationToken cancellationToken);

    /// <summary>Moves the offset from <paramref name="expectedOffset"/> to <paramref name="newOffset"/> of an active session; null when it was not at that offset or not active.</summary>
    Task<UploadSessionRecord?> AdvanceAsync(string id, long expectedOffset, long newOffset, DateTimeOffset expiresAt, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Sets the status (and the file it produced) of a session that is in <paramref name="expected"/>; null when it was not.</summary>
    Task<UploadSessionRecord?> SetStatusAsync(string id, UploadStatus expected, UploadStatus status, string? fileId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Active sessions of every user that expired before <paramref name="now"/>.</summary>
    Task<IReadOnlyList<UploadSessionRecord>> ListExpiredAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>Finished (completed, terminated, expired) sessions last updated before the cutoff, for clean-up.</summary>
    Task<IReadOnlyList<UploadSessionRecord>> ListFinishedBeforeAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken);

    Task DeleteAsync(string id, CancellationToken cancellationToken);
}

/// <summary>A message that must reach RabbitMQ exactly as it was decided, written in the same step as the change that caused it.</summary>
public sealed record OutboxMessageRecord(
    string Id,
    string Queue,
    string MessageType,
    string Payload,
    IReadOnlyDictionary<string, string> Headers,
    DateTimeOffset CreatedAt,
    int Attempts,
    DateTimeOffset NextAttemptAt,
    DateTimeOffset? SentAt,
    string? LastError);

/// <summary>
/// The transactional outbox: messages are stored before they are published and marked sent after the broker confirmed
/// them. A dispatcher claims due messages with a lease, so two api replicas do not publish the same one at once; the
/// message id stays the outbox id, so a consumer recognises the rare duplicate (crash between publish and mark).
/// </summary>
public interface IOutboxStore
{
    Task AddAsync(OutboxMessageRecord message, CancellationToken cancellationToken);

    /// <summary>
    /// Claims up to <paramref name="limit"/> unsent messages whose next attempt is due, pushing their next attempt to
    /// <paramref name="leaseUntil"/> so no other dispatcher takes them meanwhile; oldest first.
    /// </summary>
    Task<IReadOnlyList<OutboxMessageRecord>> ClaimDueAsync(DateTimeOffset now, DateTimeOffset leaseUntil, int limit, CancellationToken cancellationToken);

    Task MarkSentAsync(string id, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Counts a failed attempt and when to try next.</summary>
    Task RecordFailureAsync(string id, string error, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken);

    /// <summary>Unsent messages (for health and metrics).</summary>
    Task<long> CountPendingAsync(CancellationToken cancellationToken);

    /// <summary>Deletes messages sent before the cutoff.</summary>
    Task<long> DeleteSentBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}

public interface IAuditStore
{
    Task AppendAsync(AuditEventRecord auditEvent, CancellationToken cancellationToken);

    /// <summary>Several events in one write (one transaction, one round trip): the batched audit writer's path.</summary>
    Task AppendManyAsync(IReadOnlyList<AuditEventRecord> auditEvents, CancellationToken cancellationToken);

    /// <summary>The user's own events, newest first.</summary>
    Task<Page<AuditEventRecord>> ListAsync(string userId, int skip, int limit, CancellationToken cancellationToken);
}

/// <summary>Creates the schema or the indexes at start-up; safe to run from several processes at once.</summary>
public interface IMetadataStoreInitializer
{
    Task InitializeAsync(CancellationToken cancellationToken);
}

/// <summary>
/// What a conditional job update changes: the status always, each other value only when given (null keeps the stored
/// one), so progress reports do not have to carry the rest of the job along.
/// </summary>
public sealed record JobUpdate(
    JobStatus Status,
    double? Progress = null,
    string? Result = null,
    string? Error = null,
    DateTimeOffset? ExpiresAt = null);

/// <summary>
/// Background jobs users wait for (ZIP archives). Every change is conditional on the status the caller last saw, so a
/// redelivered message, a second worker or the expiry cleaner racing one another cannot undo an outcome: only one of
/// them finds the status it expected.
/// </summary>
public interface IJobStore
{
    /// <exception cref="MetadataConflictException">field "id": a job with this id exists.</exception>
    Task CreateAsync(JobRecord job, CancellationToken cancellationToken);

    /// <summary>The job, if it belongs to the owner.</summary>
    Task<JobRecord?> GetAsync(string ownerId, string id, CancellationToken cancellationToken);

    /// <summary>
    /// Applies <paramref name="update"/> only if the job is in <paramref name="expected"/> (which may equal the new status,
    /// as for a progress report); null when it was not, or is gone.
    /// </summary>
    Task<JobRecord?> UpdateAsync(string id, JobStatus expected, JobUpdate update, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Jobs of <paramref name="kind"/>, of every owner, whose <see cref="JobRecord.ExpiresAt"/> is before
    /// <paramref name="now"/> and that are not yet marked <see cref="JobStatus.Expired"/>; the earliest expiry first.
    /// </summary>
    Task<IReadOnlyList<JobRecord>> ListExpiredAsync(string kind, DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>Deletes the records of jobs of <paramref name="kind"/> marked expired whose expiry is before <paramref name="cutoff"/>; returns how many.</summary>
    Task<long> DeleteExpiredBeforeAsync(string kind, DateTimeOffset cutoff, CancellationToken cancellationToken);
}
