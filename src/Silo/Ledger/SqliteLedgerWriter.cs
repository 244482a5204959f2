using System.Globalization;
using Dispatcher.Grains.Ledger;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Dispatcher.Silo.Ledger;

/// <summary>
/// The ledger's one write connection and its prepared statements, used only by the writer loop. A batch is
/// <see cref="Begin"/>, <see cref="Add"/> per row, <see cref="Commit"/>; one transaction, one commit per batch.
/// </summary>
/// <remarks>
/// The hot path (every answered request waits for its batch's commit) talks to SQLite through SQLitePCL's raw API on
/// the connection's handle: statements prepared once (BEGIN and COMMIT included) and values bound straight from the
/// record, without Microsoft.Data.Sqlite's per-execution parameter binders and re-prepared transaction statements.
/// That halves the CPU of a one-row commit. Errors still surface as <see cref="SqliteException"/>.
/// </remarks>
internal sealed class SqliteLedgerWriter : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _begin;
    private readonly sqlite3_stmt _commit;
    private readonly sqlite3_stmt _rollback;
    private readonly sqlite3_stmt _insertRequest;
    private readonly sqlite3_stmt _insertSpend;
    private readonly AttemptsJson _attemptsJson = new();
    private bool _inTransaction;

    private SqliteLedgerWriter(SqliteConnection connection)
    {
        _connection = connection;
        _db = connection.Handle!;
        _begin = Prepare("BEGIN IMMEDIATE;");
        _commit = Prepare("COMMIT;");
        _rollback = Prepare("ROLLBACK;");
        _insertRequest = Prepare("""
            INSERT OR REPLACE INTO requests (request_id, at_unix_ms, route, stream, status, outcome, served_model,
                provider, prompt_tokens, completion_tokens, cost_usd, attempts, virtual_key_id)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13);
            """);
        _insertSpend = Prepare("""
            INSERT OR REPLACE INTO spend (request_id, attempt, at_unix_ms, model, provider, key_id, cost_usd)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7);
            """);
    }

    /// <summary>Opens the connection and prepares the statements; the schema must exist.</summary>
    public static SqliteLedgerWriter Open(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            SqliteLedgerSchema.ConfigureConnection(connection);
            return new SqliteLedgerWriter(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Starts a batch's transaction.</summary>
    public void Begin()
    {
        Run(_begin);
        _inTransaction = true;
    }

    /// <summary>Writes <paramref name="record"/>'s row and one spend row per upstream call (attempt with a key).</summary>
    public void Add(RequestRecord record)
    {
        var atUnixMs = record.At.ToUnixTimeMilliseconds();
        Span<char> cost = stackalloc char[40];
        var statement = _insertRequest;
        Check(raw.sqlite3_bind_text16(statement, 1, record.RequestId));
        Check(raw.sqlite3_bind_int64(statement, 2, atUnixMs));
        Check(raw.sqlite3_bind_text16(statement, 3, record.Route));
        Check(raw.sqlite3_bind_int64(statement, 4, record.Stream ? 1 : 0));
        Check(raw.sqlite3_bind_int64(statement, 5, record.Status));
        Check(raw.sqlite3_bind_text16(statement, 6, record.Outcome));
        BindTextOrNull(statement, 7, record.ServedModel);
        BindTextOrNull(statement, 8, record.Provider);
        Check(raw.sqlite3_bind_int64(statement, 9, record.PromptTokens));
        Check(raw.sqlite3_bind_int64(statement, 10, record.CompletionTokens));
        Check(raw.sqlite3_bind_text16(statement, 11, Usd(record.CostUsd, cost)));
        Check(raw.sqlite3_bind_text(statement, 12, _attemptsJson.WriteUtf8(record.Attempts)));
        BindTextOrNull(statement, 13, record.VirtualKeyId);
        Run(statement);

        var attempts = record.Attempts;
        statement = _insertSpend;
        for (var i = 0; i < attempts.Count; i++)
        {
            var attempt = attempts[i];
            if (attempt.KeyId is null)
            {
                continue;
            }

            Check(raw.sqlite3_bind_text16(statement, 1, record.RequestId));
            Check(raw.sqlite3_bind_int64(statement, 2, i));
            Check(raw.sqlite3_bind_int64(statement, 3, atUnixMs));
            Check(raw.sqlite3_bind_text16(statement, 4, attempt.Model));
            Check(raw.sqlite3_bind_text16(statement, 5, attempt.Provider));
            Check(raw.sqlite3_bind_text16(statement, 6, attempt.KeyId));
            Check(raw.sqlite3_bind_text16(statement, 7, Usd(attempt.CostUsd, cost)));
            Run(statement);
        }
    }

    /// <summary>Commits the batch.</summary>
    public void Commit()
    {
        Run(_commit);
        _inTransaction = false;
    }

    /// <summary>Abandons the batch, if one is open.</summary>
    public void Rollback()
    {
        // SQLite may already have rolled back on its own (some errors end the transaction): then there is nothing to undo.
        if (_inTransaction && raw.sqlite3_get_autocommit(_db) == 0)
        {
            _inTransaction = false;
            Run(_rollback);
        }

        _inTransaction = false;
    }

    /// <summary>Deletes requests and spend rows older than <paramref name="cutoff"/>, in one transaction.</summary>
    /// <returns>The number of request rows and spend rows deleted.</returns>
    public (int Requests, int Spend) DeleteOlderThan(DateTimeOffset cutoff)
    {
        using var transaction = _connection.BeginTransaction(deferred: false);
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.Parameters.AddWithValue("$cutoff", cutoff.ToUnixTimeMilliseconds());
        command.CommandText = "DELETE FROM requests WHERE at_unix_ms < $cutoff;";
        var requests = command.ExecuteNonQuery();
        command.CommandText = "DELETE FROM spend WHERE at_unix_ms < $cutoff;";
        var spend = command.ExecuteNonQuery();
        transaction.Commit();
        return (requests, spend);
    }

    public void Dispose()
    {
        // Statements first: SQLite closes a connection only once its statements are finalized.
        _begin.Dispose();
        _commit.Dispose();
        _rollback.Dispose();
        _insertRequest.Dispose();
        _insertSpend.Dispose();
        _attemptsJson.Dispose();
        _connection.Dispose();
    }

    private static ReadOnlySpan<char> Usd(decimal value, Span<char> destination) =>
        value.TryFormat(destination, out var written, provider: CultureInfo.InvariantCulture)
            ? destination[..written]
            : value.ToString(CultureInfo.InvariantCulture);

    private void BindTextOrNull(sqlite3_stmt statement, int index, string? value) =>
        Check(value is null ? raw.sqlite3_bind_null(statement, index) : raw.sqlite3_bind_text16(statement, index, value));

    private sqlite3_stmt Prepare(string sql)
    {
        Check(raw.sqlite3_prepare_v2(_db, sql, out var statement));
        return statement;
    }

    /// <summary>Steps a statement that returns no rows to its end and resets it for the next use.</summary>
    private void Run(sqlite3_stmt statement)
    {
        var result = raw.sqlite3_step(statement);
        raw.sqlite3_reset(statement);
        if (result != raw.SQLITE_DONE)
        {
            SqliteException.ThrowExceptionForRC(result, _db);
        }
    }

    private void Check(int result)
    {
        if (result != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(result, _db);
        }
    }
}
