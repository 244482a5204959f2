using System.Net.Sockets;
using Dispatcher.Grains.Ledger;
using Dispatcher.Silo.Postgres;
using Npgsql;
using NpgsqlTypes;

namespace Dispatcher.Silo.Ledger;

/// <summary>
/// The cluster's store: the <c>requests</c> and <c>spend</c> tables in the cluster's PostgreSQL. A batch is one
/// prepared statement over array parameters (<c>unnest</c>), sent with its <c>synchronous_commit = off</c> in one
/// round trip, on a connection the writer loop keeps; lookups and retention use pooled connections.
/// </summary>
internal sealed class PostgresLedgerStore : ILedgerStore
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly AttemptsJson _attemptsJson = new();
    private NpgsqlConnection? _connection;
    private NpgsqlBatch? _insert;

    public PostgresLedgerStore(NpgsqlDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _dataSource = dataSource;
        var builder = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        Description = $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database}";
    }

    public string Description { get; }

    public Task<(int From, int To)> MigrateAsync(CancellationToken cancellationToken) =>
        PostgresMigrator.ApplyAsync(_dataSource, PostgresLedgerSchema.Component, PostgresLedgerSchema.Migrations, cancellationToken);

    public async Task WriteBatchAsync(IReadOnlyList<RequestRecord> rows, CancellationToken cancellationToken)
    {
        var count = rows.Count;
        var ids = new string[count];
        var at = new DateTimeOffset[count];
        var routes = new string[count];
        var streams = new bool[count];
        var statuses = new int[count];
        var outcomes = new string[count];
        var models = new string?[count];
        var providers = new string?[count];
        var promptTokens = new int[count];
        var completionTokens = new int[count];
        var costs = new decimal[count];
        var attempts = new string[count];
        var virtualKeys = new string?[count];
        for (var i = 0; i < count; i++)
        {
            var row = rows[i];
            ids[i] = PostgresText.Clean(row.RequestId);
            at[i] = row.At.ToUniversalTime(); // timestamptz takes UTC only
            routes[i] = PostgresText.Clean(row.Route);
            streams[i] = row.Stream;
            statuses[i] = row.Status;
            outcomes[i] = PostgresText.Clean(row.Outcome);
            models[i] = PostgresText.CleanOrNull(row.ServedModel);
            providers[i] = PostgresText.CleanOrNull(row.Provider);
            promptTokens[i] = row.PromptTokens;
            completionTokens[i] = row.CompletionTokens;
            costs[i] = row.CostUsd;
            attempts[i] = _attemptsJson.Write(PostgresText.Clean(row.Attempts));
            virtualKeys[i] = PostgresText.CleanOrNull(row.VirtualKeyId);
        }

        try
        {
            var insert = _insert ?? await PrepareInsertAsync(cancellationToken);
            var parameters = insert.BatchCommands[1].Parameters;
            parameters[0].Value = ids;
            parameters[1].Value = at;
            parameters[2].Value = routes;
            parameters[3].Value = streams;
            parameters[4].Value = statuses;
            parameters[5].Value = outcomes;
            parameters[6].Value = models;
            parameters[7].Value = providers;
            parameters[8].Value = promptTokens;
            parameters[9].Value = completionTokens;
            parameters[10].Value = costs;
            parameters[11].Value = attempts;
            parameters[12].Value = virtualKeys;
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        catch
        {
            // The next batch starts on a fresh connection: a broken one must not fail every later batch.
            await DiscardConnectionAsync();
            throw;
        }
    }

    public async Task<(int Requests, int Spend)> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var batch = _dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(PostgresLedgerSchema.DeleteRequestsBefore) { Parameters = { new() { Value = cutoff.ToUniversalTime() } } });
        batch.BatchCommands.Add(new NpgsqlBatchCommand(PostgresLedgerSchema.DeleteSpendBefore) { Parameters = { new() { Value = cutoff.ToUniversalTime() } } });
        await batch.ExecuteNonQueryAsync(cancellationToken);
        return (batch.BatchCommands[0].RecordsAffected, batch.BatchCommands[1].RecordsAffected);
    }

    public async Task<RequestRecord?> FindAsync(string requestId, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(PostgresLedgerSchema.SelectById);
        command.Parameters.Add(new NpgsqlParameter { Value = requestId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new RequestRecord(
            reader.GetString(0),
            reader.GetFieldValue<DateTimeOffset>(1),
            reader.GetString(2),
            reader.GetBoolean(3),
            reader.GetInt32(4),
            reader.GetString(5),
            reader.IsDBNull(6) ? null : reader.GetString(6),
            reader.IsDBNull(7) ? null : reader.GetString(7),
            reader.GetInt32(8),
            reader.GetInt32(9),
            reader.GetDecimal(10),
            AttemptsJson.Read(reader.GetString(11)))
        {
            VirtualKeyId = reader.IsDBNull(12) ? null : reader.GetString(12),
        };
    }

    /// <summary>
    /// Unreachable: no answer from the server (connection refused, lost or timed out), or the server saying it is
    /// shutting down, starting or out of connections. A row the server rejects (a constraint, bad data) is not.
    /// </summary>
    public bool IsTransient(Exception exception) => exception switch
    {
        PostgresException postgres => postgres.IsTransient
            || postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
            || postgres.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow,
        NpgsqlException => true,
        SocketException or TimeoutException => true,
        _ => false,
    };

    public async ValueTask DisposeAsync()
    {
        await DiscardConnectionAsync();
        _attemptsJson.Dispose();
    }

    private async Task<NpgsqlBatch> PrepareInsertAsync(CancellationToken cancellationToken)
    {
        _connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var insert = new NpgsqlBatch(_connection);
        insert.BatchCommands.Add(new NpgsqlBatchCommand(PostgresLedgerSchema.AsynchronousCommit));
        var command = new NpgsqlBatchCommand(PostgresLedgerSchema.InsertBatch);
        foreach (var type in ColumnTypes)
        {
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | type });
        }

        insert.BatchCommands.Add(command);
        await insert.PrepareAsync(cancellationToken);
        _insert = insert;
        return insert;
    }

    private static readonly NpgsqlDbType[] ColumnTypes =
    [
        NpgsqlDbType.Text, NpgsqlDbType.TimestampTz, NpgsqlDbType.Text, NpgsqlDbType.Boolean, NpgsqlDbType.Integer,
        NpgsqlDbType.Text, NpgsqlDbType.Text, NpgsqlDbType.Text, NpgsqlDbType.Integer, NpgsqlDbType.Integer,
        NpgsqlDbType.Numeric, NpgsqlDbType.Jsonb, NpgsqlDbType.Text,
    ];

    private async Task DiscardConnectionAsync()
    {
        if (_insert is not null)
        {
            await _insert.DisposeAsync();
            _insert = null;
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync();
            _connection = null;
        }
    }
}
