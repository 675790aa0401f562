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

/// <summary>Paging and sorting of a listing. Folders always come before files; each group is sorted by <see cref="Sort"/>.</summary>
public sealed record NodeListQuery(int Skip, int Limit, NodeSortField Sort = NodeSortField.Name, bool Descending = false);

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
}

public interface IAuditStore
{
    Task AppendAsync(AuditEventRecord auditEvent, CancellationToken cancellationToken);

    /// <summary>The user's own events, newest first.</summary>
    Task<Page<AuditEventRecord>> ListAsync(string userId, int skip, int limit, CancellationToken cancellationToken);
}

/// <summary>Creates the schema or the indexes at start-up; safe to run from several processes at once.</summary>
public interface IMetadataStoreInitializer
{
    Task InitializeAsync(CancellationToken cancellationToken);
}
