using System.Globalization;
using Dispatcher.Grains.Ledger;
using Microsoft.Data.Sqlite;

namespace Dispatcher.Silo.Ledger;

/// <summary>
/// The ledger's one write connection and its prepared statements, used only by the writer loop. A batch is
/// <see cref="Begin"/>, <see cref="Add"/> per row, <see cref="Commit"/>; one transaction, one commit per batch.
/// </summary>
internal sealed class SqliteLedgerWriter : IDisposable
{
    private static readonly object True = 1L;
    private static readonly object False = 0L;

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _insertRequest;
    private readonly SqliteCommand _insertSpend;
    private readonly SqliteParameter[] _request;
    private readonly SqliteParameter[] _spend;
    private readonly AttemptsJson _attemptsJson = new();
    private SqliteTransaction? _transaction;

    private SqliteLedgerWriter(SqliteConnection connection)
    {
        _connection = connection;
        _insertRequest = Prepare(connection, out _request, """
            INSERT OR REPLACE INTO requests (request_id, at_unix_ms, route, stream, status, outcome, served_model,
                provider, prompt_tokens, completion_tokens, cost_usd, attempts, virtual_key_id)
            VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6, $p7, $p8, $p9, $p10, $p11, $p12);
            """, 13);
        _insertSpend = Prepare(connection, out _spend, """
            INSERT OR REPLACE INTO spend (request_id, attempt, at_unix_ms, model, provider, key_id, cost_usd)
            VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6);
            """, 7);
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
        _transaction = _connection.BeginTransaction(deferred: false);
        _insertRequest.Transaction = _transaction;
        _insertSpend.Transaction = _transaction;
    }

    /// <summary>Writes <paramref name="record"/>'s row and one spend row per upstream call (attempt with a key).</summary>
    public void Add(RequestRecord record)
    {
        var atUnixMs = record.At.ToUnixTimeMilliseconds();
        _request[0].Value = record.RequestId;
        _request[1].Value = atUnixMs;
        _request[2].Value = record.Route;
        _request[3].Value = record.Stream ? True : False;
        _request[4].Value = record.Status;
        _request[5].Value = record.Outcome;
        _request[6].Value = (object?)record.ServedModel ?? DBNull.Value;
        _request[7].Value = (object?)record.Provider ?? DBNull.Value;
        _request[8].Value = record.PromptTokens;
        _request[9].Value = record.CompletionTokens;
        _request[10].Value = record.CostUsd.ToString(CultureInfo.InvariantCulture);
        _request[11].Value = _attemptsJson.Write(record.Attempts);
        _request[12].Value = (object?)record.VirtualKeyId ?? DBNull.Value;
        _insertRequest.ExecuteNonQuery();

        var attempts = record.Attempts;
        for (var i = 0; i < attempts.Count; i++)
        {
            var attempt = attempts[i];
            if (attempt.KeyId is null)
            {
                continue;
            }

            _spend[0].Value = record.RequestId;
            _spend[1].Value = i;
            _spend[2].Value = atUnixMs;
            _spend[3].Value = attempt.Model;
            _spend[4].Value = attempt.Provider;
            _spend[5].Value = attempt.KeyId;
            _spend[6].Value = attempt.CostUsd.ToString(CultureInfo.InvariantCulture);
            _insertSpend.ExecuteNonQuery();
        }
    }

    /// <summary>Commits the batch.</summary>
    public void Commit()
    {
        _transaction!.Commit();
        EndTransaction();
    }

    /// <summary>Abandons the batch, if one is open.</summary>
    public void Rollback()
    {
        if (_transaction is not null)
        {
            try
            {
                _transaction.Rollback();
            }
            finally
            {
                EndTransaction();
            }
        }
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
        EndTransaction();
        _insertRequest.Dispose();
        _insertSpend.Dispose();
        _attemptsJson.Dispose();
        _connection.Dispose();
    }

    private void EndTransaction()
    {
        _transaction?.Dispose();
        _transaction = null;
        _insertRequest.Transaction = null;
        _insertSpend.Transaction = null;
    }

    private static SqliteCommand Prepare(SqliteConnection connection, out SqliteParameter[] parameters, string sql, int count)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        parameters = new SqliteParameter[count];
        for (var i = 0; i < count; i++)
        {
            // No SqliteType: each value binds as its own type (TEXT, INTEGER or NULL).
            parameters[i] = command.Parameters.Add(new SqliteParameter { ParameterName = "$p" + i.ToString(CultureInfo.InvariantCulture) });
        }

        command.Prepare();
        return command;
    }
}
