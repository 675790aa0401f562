using AioStorage.Core.Accounts;
using AioStorage.Core.Audit;
using AioStorage.Core.Errors;
using AioStorage.Core.Metadata;

namespace AioStorage.Core.Folders;

/// <summary>A folder with where it sits and one page of what it holds.</summary>
public sealed record FolderView(FolderRecord? Folder, IReadOnlyList<FolderRecord> Ancestors, Page<NodeRecord> Children);

/// <summary>The folder tree of one user. The root is implicit and addressed as "root" (or null).</summary>
public sealed class FolderService(INodeStore nodes, ListingCache listings, AuditLog audit, TimeProvider time)
{
    public const string RootId = "root";

    public async Task<FolderRecord> CreateAsync(string ownerId, string? name, string? parentId, ClientInfo client, CancellationToken cancellationToken)
    {
        var validName = ValidName(name);
        var parent = await ResolveFolderAsync(ownerId, parentId, "parentId", cancellationToken);
        var now = time.GetUtcNow();
        var folder = new FolderRecord { Id = Ids.New(), OwnerId = ownerId, ParentId = parent, Name = validName, CreatedAt = now, UpdatedAt = now };
        try
        {
            await nodes.CreateAsync(folder, cancellationToken);
        }
        catch (MetadataConflictException)
        {
            throw NameTaken(validName);
        }

        await listings.InvalidateAsync(ownerId, parent);
        await audit.RecordAsync(ownerId, AuditActions.FolderCreate, folder.Id, client, cancellationToken, new Dictionary<string, string> { ["name"] = validName });
        return folder;
    }

    public async Task<FolderView> GetAsync(string ownerId, string id, NodeListQuery query, CancellationToken cancellationToken)
    {
        var folderId = IsRoot(id) ? null : id;
        FolderRecord? folder = null;
        IReadOnlyList<FolderRecord> ancestors = [];
        if (folderId is not null)
        {
            folder = await GetLiveFolderAsync(ownerId, folderId, cancellationToken);
            ancestors = await nodes.GetAncestorsAsync(ownerId, folderId, cancellationToken);
        }

        var children = await listings.GetOrLoadAsync(ownerId, folderId, query,
            () => nodes.ListChildrenAsync(ownerId, folderId, query, cancellationToken));
        return new FolderView(folder, ancestors, children);
    }

    /// <summary>Renames and/or moves a folder; <paramref name="moveTo"/> is null to stay, "root" for the top.</summary>
    public async Task<FolderRecord> UpdateAsync(string ownerId, string id, string? newName, string? moveTo, ClientInfo client, CancellationToken cancellationToken)
    {
        var folder = await GetLiveFolderAsync(ownerId, id, cancellationToken);
        var name = newName is null ? folder.Name : ValidName(newName);
        var parent = folder.ParentId;
        if (moveTo is not null)
        {
            parent = await ResolveFolderAsync(ownerId, moveTo, "parentId", cancellationToken);
            if (parent == folder.Id
                || (parent is not null && (await nodes.GetAncestorsAsync(ownerId, parent, cancellationToken)).Any(a => a.Id == folder.Id)))
            {
                throw new ConflictException("parentId", "A folder cannot be moved into itself or into one of its own subfolders.");
            }
        }

        if (name == folder.Name && parent == folder.ParentId)
        {
            return folder;
        }

        NodeRecord? updated;
        try
        {
            updated = await nodes.RenameOrMoveAsync(ownerId, id, name, parent, time.GetUtcNow(), cancellationToken);
        }
        catch (MetadataConflictException)
        {
            throw NameTaken(name);
        }

        if (updated is not FolderRecord result)
        {
            throw new NotFoundException("Folder");
        }

        await listings.InvalidateAsync(ownerId, folder.ParentId, parent);
        var details = new Dictionary<string, string> { ["name"] = name };
        if (name != folder.Name)
        {
            details["previousName"] = folder.Name;
            await audit.RecordAsync(ownerId, AuditActions.FolderRename, id, client, cancellationToken, details);
        }

        if (parent != folder.ParentId)
        {
            await audit.RecordAsync(ownerId, AuditActions.FolderMove, id, client, cancellationToken, new Dictionary<string, string>
            {
                ["name"] = name,
                ["from"] = folder.ParentId ?? RootId,
                ["to"] = parent ?? RootId,
            });
        }

        return result;
    }

    public async Task DeleteAsync(string ownerId, string id, ClientInfo client, CancellationToken cancellationToken)
    {
        var folder = await GetLiveFolderAsync(ownerId, id, cancellationToken);
        var trashed = await nodes.TrashAsync(ownerId, id, time.GetUtcNow(), cancellationToken);
        await listings.InvalidateAsync(ownerId, folder.ParentId);
        await audit.RecordAsync(ownerId, AuditActions.FolderDelete, id, client, cancellationToken, new Dictionary<string, string>
        {
            ["name"] = folder.Name,
            ["items"] = (trashed.Count - 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
    }

    public static bool IsRoot(string? id) => id is null || string.Equals(id, RootId, StringComparison.Ordinal);

    private async Task<string?> ResolveFolderAsync(string ownerId, string? id, string field, CancellationToken cancellationToken)
    {
        if (IsRoot(id))
        {
            return null;
        }

        var node = await nodes.GetAsync(ownerId, id!, cancellationToken);
        return node is FolderRecord { IsTrashed: false } ? node.Id : throw new NotFoundException($"The folder given as {field}");
    }

    private async Task<FolderRecord> GetLiveFolderAsync(string ownerId, string id, CancellationToken cancellationToken)
        => await nodes.GetAsync(ownerId, id, cancellationToken) is FolderRecord { IsTrashed: false } folder
            ? folder
            : throw new NotFoundException("Folder");

    private static string ValidName(string? name)
        => NodeNames.TryNormalize(name, out var valid, out var error) ? valid : throw ValidationFailedException.For("name", error);

    private static ConflictException NameTaken(string name) => new("name", $"A file or folder named '{name}' already exists here.");
}
