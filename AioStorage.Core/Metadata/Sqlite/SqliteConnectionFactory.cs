using Microsoft.Data.Sqlite;

namespace AioStorage.Core.Metadata.Sqlite;

/// <summary>
/// Opens connections to the embedded metadata database. The api and several worker processes share the file, so every
/// connection waits for a busy database instead of failing, writes take the write lock up front (BEGIN IMMEDIATE),
/// and transactions stay short: one store call is one transaction.
/// </summary>
internal sealed class SqliteConnectionFactory
{
    /// <summary>How long SQLite itself waits for another connection's write lock before giving up.</summary>
    internal static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(15);

    private readonly string _connectionString;

    public SqliteConnectionFactory(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            // Microsoft.Data.Sqlite retries SQLITE_BUSY on its own until the command timeout; keep it above BusyTimeout.
            DefaultTimeout = (int)BusyTimeout.TotalSeconds * 2,
        }.ToString();
    }

    public string Path { get; }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = $"PRAGMA busy_timeout = {(int)BusyTimeout.TotalMilliseconds};";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs several reads in one deferred transaction, so a page and its total come from the same snapshot.</summary>
    public async Task<T> ReadAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> read, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: true);
        var result = await read(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>
    /// Runs a write in a BEGIN IMMEDIATE transaction. Taking the write lock before the first read means a transaction
    /// never has to upgrade a stale read snapshot, which SQLite answers with SQLITE_BUSY that no busy timeout can wait out.
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> write, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var result = await write(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }
}
