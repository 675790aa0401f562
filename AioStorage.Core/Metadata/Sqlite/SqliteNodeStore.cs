using Microsoft.Data.Sqlite;

namespace AioStorage.Core.Metadata.Sqlite;

internal sealed class SqliteNodeStore(SqliteConnectionFactory connections) : INodeStore
{
    /// <summary>A guard against a cycle in damaged data, far beyond any real folder depth.</summary>
    internal const int MaxDepth = 1000;

    private const string Columns =
        "id, owner_id, parent_id, type, name, created_at, updated_at, deleted_at, trash_id, " +
        "size, mime_type, sha256, status, status_reason, current_version_id, media";

    private const string FolderType = "folder";
    private const string FileType = "file";

    private static readonly (string, string, string) NameTaken = ("ux_nodes_live_name", "name", "An item with this name already exists here.");

    public async Task CreateAsync(NodeRecord node, CancellationToken cancellationToken)
    {
        try
        {
            await connections.WriteAsync(async (connection, transaction) =>
            {
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = $"""
                    INSERT INTO nodes ({Columns}, name_key)
                    VALUES (@id, @ownerId, @parentId, @type, @name, @createdAt, @updatedAt, @deletedAt, @trashId,
                            @size, @mimeType, @sha256, @status, @statusReason, @currentVersionId, @media, @nameKey);
                    """;
                var parameters = command.Parameters;
                parameters.AddValue("@id", node.Id);
                parameters.AddValue("@ownerId", node.OwnerId);
                parameters.AddValue("@parentId", node.ParentId);
                parameters.AddValue("@type", TypeName(node.Type));
                parameters.AddValue("@name", node.Name);
                parameters.AddValue("@nameKey", NodeNames.Key(node.Name));
                parameters.AddValue("@createdAt", SqliteValues.ToUnixMs(node.CreatedAt));
                parameters.AddValue("@updatedAt", SqliteValues.ToUnixMs(node.UpdatedAt));
                parameters.AddValue("@deletedAt", node.DeletedAt is { } deletedAt ? SqliteValues.ToUnixMs(deletedAt) : null);
                parameters.AddValue("@trashId", node.TrashId);
                var file = node as FileRecord;
                parameters.AddValue("@size", file?.Size);
                parameters.AddValue("@mimeType", file?.MimeType);
                parameters.AddValue("@sha256", file?.Sha256);
                parameters.AddValue("@status", file?.Status.ToString());
                parameters.AddValue("@statusReason", file?.StatusReason);
                parameters.AddValue("@currentVersionId", file?.CurrentVersionId);
                parameters.AddValue("@media", file?.Media is { } media ? SqliteValues.ToJson(media) : null);
                return await command.ExecuteNonQueryAsync(cancellationToken);
            }, cancellationToken);
        }
        catch (SqliteException ex) when (SqliteValues.AsConflict(ex, NameTaken) is { } conflict)
        {
            throw conflict;
        }
    }

    public Task<NodeRecord?> GetAsync(string ownerId, string id, CancellationToken cancellationToken) =>
        connections.ReadAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"SELECT {Columns} FROM nodes WHERE id = @id AND owner_id = @ownerId;";
            command.Parameters.AddValue("@id", id);
            command.Parameters.AddValue("@ownerId", ownerId);
            return await ReadSingleAsync(command, cancellationToken);
        }, cancellationToken);

    public Task<NodeRecord?> FindChildByNameAsync(string ownerId, string? parentId, string name, CancellationToken cancellationToken) =>
        connections.ReadAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            // Written as the live-name index is defined, so that this look-up is a seek in it.
            command.CommandText = $"""
                SELECT {Columns} FROM nodes
                WHERE owner_id = @ownerId AND ifnull(parent_id, '') = @parentKey AND name_key = @nameKey AND deleted_at IS NULL;
                """;
            command.Parameters.AddValue("@ownerId", ownerId);
            command.Parameters.AddValue("@parentKey", parentId ?? string.Empty);
            command.Parameters.AddValue("@nameKey", NodeNames.Key(name));
            return await ReadSingleAsync(command, cancellationToken);
        }, cancellationToken);

    public Task<Page<NodeRecord>> ListChildrenAsync(string ownerId, string? parentId, NodeListQuery query, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(query.Skip);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Limit);
        var direction = query.Descending ? "DESC" : "ASC";
        var sortColumn = query.Sort switch
        {
            NodeSortField.Name => "name_key",
            NodeSortField.Size => "size",
            NodeSortField.CreatedAt => "created_at",
            NodeSortField.UpdatedAt => "updated_at",
            _ => throw new ArgumentOutOfRangeException(nameof(query), query.Sort, "Unknown sort field."),
        };
        // Folders first; ties (folders by size, equal times) fall back to the name and then the id, for a stable order.
        var tieBreakers = query.Sort == NodeSortField.Name ? $"id {direction}" : $"name_key {direction}, id {direction}";
        var where = "owner_id = @ownerId AND parent_id IS @parentId AND deleted_at IS NULL" + (query.Type is null ? string.Empty : " AND type = @type");

        return connections.ReadAsync(async (connection, transaction) =>
        {
            await using var count = connection.CreateCommand();
            count.Transaction = transaction;
            count.CommandText = $"SELECT count(*) FROM nodes WHERE {where};";
            count.Parameters.AddValue("@ownerId", ownerId);
            count.Parameters.AddValue("@parentId", parentId);
            count.Parameters.AddValue("@type", TypeName(query.Type));
            var total = (long)(await count.ExecuteScalarAsync(cancellationToken))!;

            await using var list = connection.CreateCommand();
            list.Transaction = transaction;
            list.CommandText = $"""
                SELECT {Columns} FROM nodes WHERE {where}
                ORDER BY type = '{FolderType}' DESC, {sortColumn} {direction}, {tieBreakers}
                LIMIT @limit OFFSET @skip;
                """;
            list.Parameters.AddValue("@ownerId", ownerId);
            list.Parameters.AddValue("@parentId", parentId);
            list.Parameters.AddValue("@type", TypeName(query.Type));
            list.Parameters.AddValue("@limit", query.Limit);
            list.Parameters.AddValue("@skip", query.Skip);
            return new Page<NodeRecord>(await ReadAllAsync(list, cancellationToken), total);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<FolderRecord>> GetAncestorsAsync(string ownerId, string folderId, CancellationToken cancellationToken) =>
        connections.ReadAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"""
                WITH RECURSIVE chain (id, parent_id, depth) AS (
                    SELECT id, parent_id, 0 FROM nodes WHERE id = @id AND owner_id = @ownerId
                    UNION ALL
                    SELECT n.id, n.parent_id, chain.depth + 1 FROM nodes n JOIN chain ON n.id = chain.parent_id
                    WHERE n.owner_id = @ownerId AND chain.depth < {MaxDepth}
                )
                SELECT {string.Join(", ", Columns.Split(", ").Select(c => "n." + c))}
                FROM chain JOIN nodes n ON n.id = chain.id
                WHERE chain.depth > 0
                ORDER BY chain.depth DESC;
                """;
            command.Parameters.AddValue("@id", folderId);
            command.Parameters.AddValue("@ownerId", ownerId);
            IReadOnlyList<FolderRecord> ancestors = [.. (await ReadAllAsync(command, cancellationToken)).OfType<FolderRecord>()];
            return ancestors;
        }, cancellationToken);

    public async Task<NodeRecord?> RenameOrMoveAsync(string ownerId, string id, string name, string? parentId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        try
        {
            return await connections.WriteAsync(async (connection, transaction) =>
            {
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = $"""
                    UPDATE nodes SET name = @name, name_key = @nameKey, parent_id = @parentId, updated_at = @at
                    WHERE id = @id AND owner_id = @ownerId AND deleted_at IS NULL
                    RETURNING {Columns};
                    """;
                command.Parameters.AddValue("@id", id);
                command.Parameters.AddValue("@ownerId", ownerId);
                command.Parameters.AddValue("@name", name);
                command.Parameters.AddValue("@nameKey", NodeNames.Key(name));
                command.Parameters.AddValue("@parentId", parentId);
                command.Parameters.AddValue("@at", SqliteValues.ToUnixMs(at));
                return await ReadSingleAsync(command, cancellationToken);
            }, cancellationToken);
        }
        catch (SqliteException ex) when (SqliteValues.AsConflict(ex, NameTaken) is { } conflict)
        {
            throw conflict;
        }
    }

    /// <summary>
    /// One transaction marks the node and its live descendants, so on SQLite a trash is all or nothing. The statements
    /// still follow the order the MongoDB store needs (the node first, then what is under it, only where still live),
    /// so that a repeat after an earlier half-finished run on any store completes the job with the same result.
    /// </summary>
    public Task<IReadOnlyList<NodeRecord>> TrashAsync(string ownerId, string id, DateTimeOffset at, CancellationToken cancellationToken) =>
        connections.WriteAsync<IReadOnlyList<NodeRecord>>(async (connection, transaction) =>
        {
            await using (var find = connection.CreateCommand())
            {
                find.Transaction = transaction;
                find.CommandText = $"SELECT {Columns} FROM nodes WHERE id = @id AND owner_id = @ownerId;";
                find.Parameters.AddValue("@id", id);
                find.Parameters.AddValue("@ownerId", ownerId);
                var node = await ReadSingleAsync(find, cancellationToken);
                // Missing, someone else's, or already in the trash as part of another node: nothing of this call's to do.
                if (node is null || (node.IsTrashed && node.TrashId != id))
                {
                    return [];
                }
            }

            await using (var mark = connection.CreateCommand())
            {
                mark.Transaction = transaction;
                mark.CommandText = """
                    UPDATE nodes SET deleted_at = @at, trash_id = @id, updated_at = @at
                    WHERE id = @id AND owner_id = @ownerId AND deleted_at IS NULL;

                    WITH RECURSIVE subtree (id) AS (
                        SELECT @id
                        UNION
                        SELECT n.id FROM nodes n JOIN subtree ON n.parent_id = subtree.id
                        WHERE n.owner_id = @ownerId AND (n.deleted_at IS NULL OR n.trash_id = @id)
                    )
                    UPDATE nodes SET deleted_at = @at, trash_id = @id, updated_at = @at
                    WHERE id IN (SELECT id FROM subtree) AND owner_id = @ownerId AND deleted_at IS NULL;
                    """;
                mark.Parameters.AddValue("@id", id);
                mark.Parameters.AddValue("@ownerId", ownerId);
                mark.Parameters.AddValue("@at", SqliteValues.ToUnixMs(at));
                await mark.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var trashed = connection.CreateCommand();
            trashed.Transaction = transaction;
            trashed.CommandText = $"SELECT {Columns} FROM nodes WHERE owner_id = @ownerId AND trash_id = @id ORDER BY id;";
            trashed.Parameters.AddValue("@id", id);
            trashed.Parameters.AddValue("@ownerId", ownerId);
            return await ReadAllAsync(trashed, cancellationToken);
        }, cancellationToken);

    public Task<Page<NodeRecord>> ListTrashAsync(string ownerId, int skip, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return connections.ReadAsync(async (connection, transaction) =>
        {
            await using var count = connection.CreateCommand();
            count.Transaction = transaction;
            count.CommandText = "SELECT count(*) FROM nodes WHERE owner_id = @ownerId AND trash_id = id;";
            count.Parameters.AddValue("@ownerId", ownerId);
            var total = (long)(await count.ExecuteScalarAsync(cancellationToken))!;

            await using var list = connection.CreateCommand();
            list.Transaction = transaction;
            list.CommandText = $"""
                SELECT {Columns} FROM nodes WHERE owner_id = @ownerId AND trash_id = id
                ORDER BY deleted_at DESC, id DESC
                LIMIT @limit OFFSET @skip;
                """;
            list.Parameters.AddValue("@ownerId", ownerId);
            list.Parameters.AddValue("@limit", limit);
            list.Parameters.AddValue("@skip", skip);
            return new Page<NodeRecord>(await ReadAllAsync(list, cancellationToken), total);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<NodeRecord>> GetTrashGroupAsync(string ownerId, string trashId, CancellationToken cancellationToken) =>
        connections.ReadAsync<IReadOnlyList<NodeRecord>>(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"SELECT {Columns} FROM nodes WHERE owner_id = @ownerId AND trash_id = @trashId ORDER BY id;";
            command.Parameters.AddValue("@ownerId", ownerId);
            command.Parameters.AddValue("@trashId", trashId);
            return await ReadAllAsync(command, cancellationToken);
        }, cancellationToken);

    /// <summary>
    /// One transaction, so on SQLite a restore is all or nothing and a name clash at the target leaves the whole group
    /// in the trash. The statements keep the order the MongoDB store needs (members first, the root last), so a group
    /// that store left half restored is finished here the same way.
    /// </summary>
    public async Task<NodeRecord?> RestoreAsync(string ownerId, string trashId, string? parentId, string name, DateTimeOffset at, CancellationToken cancellationToken)
    {
        try
        {
            return await connections.WriteAsync(async (connection, transaction) =>
            {
                await using (var find = connection.CreateCommand())
                {
                    find.Transaction = transaction;
                    find.CommandText = "SELECT count(*) FROM nodes WHERE id = @trashId AND owner_id = @ownerId AND trash_id = @trashId;";
                    find.Parameters.AddValue("@trashId", trashId);
                    find.Parameters.AddValue("@ownerId", ownerId);
                    if ((long)(await find.ExecuteScalarAsync(cancellationToken))! == 0)
                    {
                        return null;
                    }
                }

                await using (var members = connection.CreateCommand())
                {
                    members.Transaction = transaction;
                    members.CommandText = """
                        UPDATE nodes SET deleted_at = NULL, trash_id = NULL, updated_at = @at
                        WHERE owner_id = @ownerId AND trash_id = @trashId AND id <> @trashId;
                        """;
                    members.Parameters.AddValue("@trashId", trashId);
                    members.Parameters.AddValue("@ownerId", ownerId);
                    members.Parameters.AddValue("@at", SqliteValues.ToUnixMs(at));
                    await members.ExecuteNonQueryAsync(cancellationToken);
                }

                await using var root = connection.CreateCommand();
                root.Transaction = transaction;
                root.CommandText = $"""
                    UPDATE nodes SET parent_id = @parentId, name = @name, name_key = @nameKey, deleted_at = NULL, trash_id = NULL, updated_at = @at
                    WHERE id = @trashId AND owner_id = @ownerId AND trash_id = @trashId
                    RETURNING {Columns};
                    """;
                root.Parameters.AddValue("@trashId", trashId);
                root.Parameters.AddValue("@ownerId", ownerId);
                root.Parameters.AddValue("@parentId", parentId);
                root.Parameters.AddValue("@name", name);
                root.Parameters.AddValue("@nameKey", NodeNames.Key(name));
                root.Parameters.AddValue("@at", SqliteValues.ToUnixMs(at));
                return await ReadSingleAsync(root, cancellationToken);
            }, cancellationToken);
        }
        catch (SqliteException ex) when (SqliteValues.AsConflict(ex, NameTaken) is { } conflict)
        {
            throw conflict;
        }
    }

    public Task<NodeRecord?> DeleteAsync(string ownerId, string id, CancellationToken cancellationToken) =>
        connections.WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"DELETE FROM nodes WHERE id = @id AND owner_id = @ownerId RETURNING {Columns};";
            command.Parameters.AddValue("@id", id);
            command.Parameters.AddValue("@ownerId", ownerId);
            return await ReadSingleAsync(command, cancellationToken);
        }, cancellationToken);

    public Task<IReadOnlyList<NodeRecord>> ListTrashDeletedBeforeAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return connections.ReadAsync<IReadOnlyList<NodeRecord>>(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"""
                SELECT {Columns} FROM nodes WHERE trash_id = id AND deleted_at < @cutoff
                ORDER BY deleted_at, id
                LIMIT @limit;
                """;
            command.Parameters.AddValue("@cutoff", SqliteValues.ToUnixMs(cutoff));
            command.Parameters.AddValue("@limit", limit);
            return await ReadAllAsync(command, cancellationToken);
        }, cancellationToken);
    }

    public Task<FileRecord?> ReplaceContentAsync(string ownerId, string fileId, string expectedSha256, string? expectedVersionId,
        string sha256, long size, string mimeType, string versionId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        return connections.WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            // IS compares NULL with NULL as equal: a file that never had a version matches an expected null.
            command.CommandText = $"""
                UPDATE nodes SET sha256 = @sha256, size = @size, mime_type = @mimeType, current_version_id = @versionId,
                    status = @status, status_reason = NULL, media = NULL, updated_at = @at
                WHERE id = @id AND owner_id = @ownerId AND type = '{FileType}' AND deleted_at IS NULL
                    AND sha256 = @expectedSha256 AND current_version_id IS @expectedVersionId
                RETURNING {Columns};
                """;
            var parameters = command.Parameters;
            parameters.AddValue("@id", fileId);
            parameters.AddValue("@ownerId", ownerId);
            parameters.AddValue("@expectedSha256", expectedSha256);
            parameters.AddValue("@expectedVersionId", expectedVersionId);
            parameters.AddValue("@sha256", sha256);
            parameters.AddValue("@size", size);
            parameters.AddValue("@mimeType", mimeType);
            parameters.AddValue("@versionId", versionId);
            parameters.AddValue("@status", nameof(FileStatus.Processing));
            parameters.AddValue("@at", SqliteValues.ToUnixMs(at));
            return await ReadSingleAsync(command, cancellationToken) as FileRecord;
        }, cancellationToken);
    }

    public Task<FileRecord?> UpdateProcessingAsync(string fileId, string expectedSha256, FileStatus status, string? statusReason,
        string? mimeType, MediaInfo? media, DateTimeOffset at, CancellationToken cancellationToken) =>
        connections.WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"""
                UPDATE nodes SET status = @status, status_reason = @statusReason, mime_type = ifnull(@mimeType, mime_type),
                    media = @media, updated_at = @at
                WHERE id = @id AND type = '{FileType}' AND sha256 = @expectedSha256
                RETURNING {Columns};
                """;
            var parameters = command.Parameters;
            parameters.AddValue("@id", fileId);
            parameters.AddValue("@expectedSha256", expectedSha256);
            parameters.AddValue("@status", status.ToString());
            parameters.AddValue("@statusReason", statusReason);
            parameters.AddValue("@mimeType", mimeType);
            parameters.AddValue("@media", media is null ? null : SqliteValues.ToJson(media));
            parameters.AddValue("@at", SqliteValues.ToUnixMs(at));
            return await ReadSingleAsync(command, cancellationToken) as FileRecord;
        }, cancellationToken);

    /// <summary>A substring of the name key: instr, unlike LIKE, gives no character of the search text a meaning.</summary>
    public Task<Page<NodeRecord>> SearchAsync(string ownerId, string text, NodeType? type, int skip, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var where = "owner_id = @ownerId AND deleted_at IS NULL AND instr(name_key, @key) > 0" + (type is null ? string.Empty : " AND type = @type");
        return connections.ReadAsync(async (connection, transaction) =>
        {
            await using var count = connection.CreateCommand();
            count.Transaction = transaction;
            count.CommandText = $"SELECT count(*) FROM nodes WHERE {where};";
            count.Parameters.AddValue("@ownerId", ownerId);
            count.Parameters.AddValue("@key", NodeNames.Key(text));
            count.Parameters.AddValue("@type", TypeName(type));
            var total = (long)(await count.ExecuteScalarAsync(cancellationToken))!;

            await using var list = connection.CreateCommand();
            list.Transaction = transaction;
            list.CommandText = $"""
                SELECT {Columns} FROM nodes WHERE {where}
                ORDER BY type = '{FolderType}' DESC, name_key, id
                LIMIT @limit OFFSET @skip;
                """;
            list.Parameters.AddValue("@ownerId", ownerId);
            list.Parameters.AddValue("@key", NodeNames.Key(text));
            list.Parameters.AddValue("@type", TypeName(type));
            list.Parameters.AddValue("@limit", limit);
            list.Parameters.AddValue("@skip", skip);
            return new Page<NodeRecord>(await ReadAllAsync(list, cancellationToken), total);
        }, cancellationToken);
    }

    private static string? TypeName(NodeType? type) => type switch
    {
        null => null,
        NodeType.Folder => FolderType,
        NodeType.File => FileType,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown node type."),
    };

    private static async Task<NodeRecord?> ReadSingleAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadNode(reader) : null;
    }

    private static async Task<List<NodeRecord>> ReadAllAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var nodes = new List<NodeRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            nodes.Add(ReadNode(reader));
        }

        return nodes;
    }

    private static NodeRecord ReadNode(SqliteDataReader reader)
    {
        var type = reader.GetString(3);
        return type switch
        {
            FolderType => new FolderRecord
            {
                Id = reader.GetString(0),
                OwnerId = reader.GetString(1),
                ParentId = reader.GetNullableString(2),
                Name = reader.GetString(4),
                CreatedAt = reader.GetTime(5),
                UpdatedAt = reader.GetTime(6),
                DeletedAt = reader.GetNullableTime(7),
                TrashId = reader.GetNullableString(8),
            },
            FileType => new FileRecord
            {
                Id = reader.GetString(0),
                OwnerId = reader.GetString(1),
                ParentId = reader.GetNullableString(2),
                Name = reader.GetString(4),
                CreatedAt = reader.GetTime(5),
                UpdatedAt = reader.GetTime(6),
                DeletedAt = reader.GetNullableTime(7),
                TrashId = reader.GetNullableString(8),
                Size = reader.GetNullableInt64(9) ?? 0,
                MimeType = reader.GetNullableString(10) ?? string.Empty,
                Sha256 = reader.GetNullableString(11) ?? string.Empty,
                Status = reader.GetNullableString(12) is { } status ? Enum.Parse<FileStatus>(status) : FileStatus.Processing,
                StatusReason = reader.GetNullableString(13),
                CurrentVersionId = reader.GetNullableString(14),
                Media = reader.GetNullableString(15) is { } media ? SqliteValues.FromJson<MediaInfo>(media) : null,
            },
            _ => throw new InvalidDataException($"Node {reader.GetString(0)} has an unknown type '{type}'."),
        };
    }
}
