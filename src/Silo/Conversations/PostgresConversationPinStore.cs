using Dispatcher.Grains.Conversations;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Dispatcher.Silo.Postgres;

namespace Dispatcher.Silo.Conversations;

/// <summary>
/// A cluster's pin store: one row per conversation in <c>dispatcher_pins</c>, written by compare-and-set on its
/// version, so that any node serves any turn with the same pin. Expiry is judged on the node's clock (as the
/// in-process store does); expired rows are deleted every 1024 saves.
/// </summary>
/// <remarks>
/// A pin is worth less than an answer: when the database does not answer within two seconds, a
/// lookup finds no pin and a save reports a lost race (so the node re-reads and, finding nothing, serves unpinned);
/// both are logged. No request waits longer than that on a pin.
/// </remarks>
internal sealed partial class PostgresConversationPinStore : IConversationPinStore, IDisposable
{
    private const int CommandTimeoutSeconds = 2;

    /// <summary>The <c>pins</c> component's migrations (<see cref="Postgres.PostgresMigrator"/>).</summary>
    public static readonly string[] Migrations =
    [
        """
        CREATE TABLE dispatcher_pins (
            scope text NOT NULL,
            session_id text NOT NULL,
            model_alias text NOT NULL,
            provider text NOT NULL,
            turns integer NOT NULL,
            fallback_history text[] NOT NULL,
            pinned_at timestamptz NOT NULL,
            last_used timestamptz NOT NULL,
            expires_at timestamptz NOT NULL,
            version bigint NOT NULL,
            PRIMARY KEY (scope, session_id));
        CREATE INDEX ix_dispatcher_pins_expires ON dispatcher_pins (expires_at);
        """,
    ];

    // Expired rows are deleted after this many saves, by the node that makes the save.
    private const int SweepEvery = 1024;

    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;
    private readonly ILogger<PostgresConversationPinStore> _logger;
    private readonly LazySchema _schema;
    private int _saves;

    public PostgresConversationPinStore(NpgsqlDataSource dataSource, TimeProvider time, ILogger<PostgresConversationPinStore> logger)
    {
        _dataSource = dataSource;
        _time = time;
        _logger = logger;
        _schema = new LazySchema(dataSource, "pins", Migrations);
    }

    public async ValueTask<ConversationPin?> FindAsync(ConversationKey key, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(TimeSpan.FromSeconds(CommandTimeoutSeconds));
        try
        {
            await _schema.EnsureAsync(bounded.Token);
            await using var command = _dataSource.CreateCommand("""
                SELECT model_alias, provider, turns, fallback_history, pinned_at, last_used, expires_at, version
                FROM dispatcher_pins WHERE scope = $1 AND session_id = $2 AND expires_at > $3
                """);
            command.CommandTimeout = CommandTimeoutSeconds;
            command.Parameters.Add(new NpgsqlParameter { Value = key.Scope });
            command.Parameters.Add(new NpgsqlParameter { Value = key.SessionId });
            command.Parameters.Add(new NpgsqlParameter { Value = _time.GetUtcNow() });
            await using var reader = await command.ExecuteReaderAsync(bounded.Token);
            if (!await reader.ReadAsync(bounded.Token))
            {
                return null;
            }

            return new ConversationPin(key, reader.GetString(0), reader.GetString(1), reader.GetInt32(2),
                reader.GetFieldValue<string[]>(3), reader.GetFieldValue<DateTimeOffset>(4), reader.GetFieldValue<DateTimeOffset>(5),
                reader.GetFieldValue<DateTimeOffset>(6), reader.GetInt64(7));
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            Log.Unavailable(_logger, "find", e.Message);
            return null;
        }
    }

    public async ValueTask<bool> TrySaveAsync(ConversationPin pin, long expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pin);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(TimeSpan.FromSeconds(CommandTimeoutSeconds));
        try
        {
            await _schema.EnsureAsync(bounded.Token);
            if (Interlocked.Increment(ref _saves) % SweepEvery == 0)
            {
                await DeleteExpiredAsync(_time.GetUtcNow(), bounded.Token);
            }

            // Version 0: insert, or take over a row that has expired. Otherwise: overwrite exactly the expected version.
            await using var command = _dataSource.CreateCommand(expectedVersion == 0
                ? """
                  INSERT INTO dispatcher_pins AS p (scope, session_id, model_alias, provider, turns, fallback_history,
                      pinned_at, last_used, expires_at, version)
                  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                  ON CONFLICT (scope, session_id) DO UPDATE SET
                      model_alias = excluded.model_alias, provider = excluded.provider, turns = excluded.turns,
                      fallback_history = excluded.fallback_history, pinned_at = excluded.pinned_at,
                      last_used = excluded.last_used, expires_at = excluded.expires_at, version = excluded.version
                  WHERE p.expires_at <= $11
                  """
                : """
                  UPDATE dispatcher_pins SET model_alias = $3, provider = $4, turns = $5, fallback_history = $6,
                      pinned_at = $7, last_used = $8, expires_at = $9, version = $10
                  WHERE scope = $1 AND session_id = $2 AND expires_at > $11 AND version = $12
                  """);
            command.CommandTimeout = CommandTimeoutSeconds;
            command.Parameters.Add(new NpgsqlParameter { Value = pin.Key.Scope });
            command.Parameters.Add(new NpgsqlParameter { Value = pin.Key.SessionId });
            command.Parameters.Add(new NpgsqlParameter { Value = pin.ModelAlias });
            command.Parameters.Add(new NpgsqlParameter { Value = pin.Provider });
            command.Parameters.Add(new NpgsqlParameter { Value = pin.Turns });
            command.Parameters.Add(new NpgsqlParameter { Value = pin.FallbackHistory.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = pin.PinnedAt });
            command.Parameters.Add(new NpgsqlParameter { Value = pin.LastUsed });
            command.Parameters.Add(new NpgsqlParameter { Value = pin.ExpiresAt });
            command.Parameters.Add(new NpgsqlParameter { Value = pin.Version });
            command.Parameters.Add(new NpgsqlParameter { Value = _time.GetUtcNow() });
            if (expectedVersion != 0)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = expectedVersion });
            }

            return await command.ExecuteNonQueryAsync(bounded.Token) == 1;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            Log.Unavailable(_logger, "save", e.Message);
            return false;
        }
    }

    public void Dispose() => _schema.Dispose();

    /// <summary>Deletes pins that expired before <paramref name="cutoff"/>; returns how many.</summary>
    public async Task<int> DeleteExpiredAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("DELETE FROM dispatcher_pins WHERE expires_at <= $1");
        command.Parameters.Add(new NpgsqlParameter { Value = cutoff });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(3200, LogLevel.Warning, "Conversation pins unavailable ({Operation}: {Reason}); serving this turn unpinned")]
        public static partial void Unavailable(ILogger logger, string operation, string reason);
    }
}
