namespace Dispatcher.Silo.Ledger;

/// <summary>
/// The ledger's PostgreSQL tables, migrated by <see cref="Postgres.PostgresMigrator"/> as component <c>ledger</c>.
/// The same two tables as the SQLite file, in PostgreSQL's own types: <c>timestamptz</c> times, <c>numeric</c> USD
/// (exact, as the decimal the front priced), the decision trail as <c>jsonb</c>.
/// </summary>
internal static class PostgresLedgerSchema
{
    /// <summary>The component's name in <c>dispatcher_schema</c>.</summary>
    public const string Component = "ledger";

    /// <summary>Migration <c>i</c> brings the component to version <c>i + 1</c>. Append; never edit a shipped one.</summary>
    public static readonly IReadOnlyList<string> Migrations =
    [
        """
        CREATE TABLE requests (
            request_id text PRIMARY KEY,
            at timestamptz NOT NULL,
            route text NOT NULL,
            stream boolean NOT NULL,
            status integer NOT NULL,
            outcome text NOT NULL,
            served_model text,
            provider text,
            prompt_tokens integer NOT NULL,
            completion_tokens integer NOT NULL,
            cost_usd numeric NOT NULL,
            attempts jsonb NOT NULL);
        CREATE INDEX ix_requests_at ON requests (at);
        CREATE TABLE spend (
            request_id text NOT NULL,
            attempt integer NOT NULL,
            at timestamptz NOT NULL,
            model text NOT NULL,
            provider text NOT NULL,
            key_id text NOT NULL,
            cost_usd numeric NOT NULL,
            PRIMARY KEY (request_id, attempt));
        CREATE INDEX ix_spend_at ON spend (at);
        """,
        """
        ALTER TABLE requests ADD COLUMN virtual_key_id text;
        CREATE INDEX ix_requests_key_at ON requests (virtual_key_id, at) WHERE virtual_key_id IS NOT NULL;
        """,
    ];

    /// <summary>
    /// One statement per batch: the request rows from arrays (one parameter per column), and a spend row per attempt
    /// that called an upstream (one with a key), taken from the trail just inserted. A row already stored (a batch
    /// retried after its commit's answer was lost) is left alone, with its spend rows.
    /// </summary>
    public const string InsertBatch = """
        WITH inserted AS (
            INSERT INTO requests (request_id, at, route, stream, status, outcome, served_model, provider,
                prompt_tokens, completion_tokens, cost_usd, attempts, virtual_key_id)
            SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::boolean[], $5::integer[], $6::text[],
                $7::text[], $8::text[], $9::integer[], $10::integer[], $11::numeric[], $12::jsonb[], $13::text[])
            ON CONFLICT (request_id) DO NOTHING
            RETURNING request_id, at, attempts)
        INSERT INTO spend (request_id, attempt, at, model, provider, key_id, cost_usd)
        SELECT i.request_id, a.ordinal - 1, i.at, a.item->>'model', a.item->>'provider', a.item->>'key_id',
            (a.item->>'cost_usd')::numeric
        FROM inserted AS i CROSS JOIN LATERAL jsonb_array_elements(i.attempts) WITH ORDINALITY AS a (item, ordinal)
        WHERE a.item->>'key_id' IS NOT NULL
        ON CONFLICT (request_id, attempt) DO NOTHING
        """;

    /// <summary>
    /// Sent in the same round trip (and implicit transaction) as <see cref="InsertBatch"/>: the server answers
    /// before its WAL reaches the disk. A node crash then loses nothing it answered; only a crash of the database
    /// server itself can lose its last few hundred milliseconds of ledger rows (SPEC.md allows it).
    /// </summary>
    public const string AsynchronousCommit = "SELECT set_config('synchronous_commit', 'off', true)";

    public const string SelectById = """
        SELECT request_id, at, route, stream, status, outcome, served_model, provider,
            prompt_tokens, completion_tokens, cost_usd, attempts::text, virtual_key_id
        FROM requests WHERE request_id = $1
        """;

    public const string DeleteRequestsBefore = "DELETE FROM requests WHERE at < $1";

    public const string DeleteSpendBefore = "DELETE FROM spend WHERE at < $1";
}
