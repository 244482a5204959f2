namespace Dispatcher.Silo.Authority;

/// <summary>
/// The authority's tables and functions (component <c>authority</c> of <see cref="Postgres.PostgresMigrator"/>).
/// Every decision that must be the same for all nodes is made inside PostgreSQL, on its clock, in one function call:
/// <c>dispatcher_report_outcomes</c> adds a batch of outcomes to each deployment's cluster-wide window and trips or
/// closes its breaker (broadcast with NOTIFY); <c>dispatcher_grant_lease</c> grants a node a slice of a key's
/// one-minute budget by compare-and-set on the budget row's version.
/// </summary>
internal static class PostgresAuthoritySchema
{
    /// <summary>The NOTIFY channel of breaker state changes.</summary>
    public const string BreakerChannel = "dispatcher_breakers";

    /// <summary>Migration <c>i</c> brings the component to version <c>i + 1</c>. Append; never edit a shipped one.</summary>
    public static readonly string[] Migrations =
    [
        """
        CREATE TABLE dispatcher_nodes (
            node_id text PRIMARY KEY,
            address text,
            started_at timestamptz NOT NULL DEFAULT now(),
            heartbeat_at timestamptz NOT NULL DEFAULT now(),
            stopped_at timestamptz);

        -- One row per deployment (provider + upstream model). 'open' past open_until is half-open.
        CREATE TABLE dispatcher_breakers (
            provider text NOT NULL,
            model text NOT NULL,
            state text NOT NULL DEFAULT 'closed' CHECK (state IN ('closed', 'open')),
            open_until timestamptz,
            version bigint NOT NULL DEFAULT 1,
            changed_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (provider, model));

        -- The cluster-wide sampling window: ten buckets of a tenth of SamplingDuration each.
        CREATE TABLE dispatcher_breaker_window (
            provider text NOT NULL,
            model text NOT NULL,
            bucket bigint NOT NULL,
            successes integer NOT NULL,
            failures integer NOT NULL,
            PRIMARY KEY (provider, model, bucket));

        CREATE TABLE dispatcher_budgets (
            provider text NOT NULL,
            key_id text NOT NULL,
            cooling_until timestamptz,
            version bigint NOT NULL DEFAULT 1,
            PRIMARY KEY (provider, key_id));

        -- What each node holds of a key's one-minute window. A live lease counts what was granted; an expired one
        -- (its node stopped renewing) only what its node reported used, so the rest returns to the cluster.
        CREATE TABLE dispatcher_leases (
            provider text NOT NULL,
            key_id text NOT NULL,
            window_start timestamptz NOT NULL,
            node_id text NOT NULL,
            granted_requests integer NOT NULL,
            granted_tokens bigint NOT NULL,
            used_requests integer NOT NULL,
            used_tokens bigint NOT NULL,
            expires_at timestamptz NOT NULL,
            PRIMARY KEY (provider, key_id, window_start, node_id));

        CREATE FUNCTION dispatcher_report_outcomes(
            p_provider text[], p_model text[], p_successes integer[], p_failures integer[],
            p_failure_ratio double precision[], p_minimum_throughput integer[], p_sampling_ms bigint[], p_break_ms bigint[])
        RETURNS TABLE (o_provider text, o_model text, o_state text, o_open_until timestamptz, o_version bigint,
            o_successes bigint, o_failures bigint, o_db_now timestamptz)
        LANGUAGE plpgsql AS $fn$
        DECLARE
            i integer;
            bucket_ms bigint;
            current_bucket bigint;
            b dispatcher_breakers;
            s bigint;
            f bigint;
            changed boolean;
        BEGIN
            FOR i IN 1 .. coalesce(array_length(p_provider, 1), 0) LOOP
                bucket_ms := greatest(1, p_sampling_ms[i] / 10);
                current_bucket := floor(extract(epoch FROM now()) * 1000 / bucket_ms)::bigint;
                INSERT INTO dispatcher_breakers (provider, model) VALUES (p_provider[i], p_model[i]) ON CONFLICT DO NOTHING;
                SELECT * INTO b FROM dispatcher_breakers r WHERE r.provider = p_provider[i] AND r.model = p_model[i] FOR UPDATE;
                IF p_successes[i] + p_failures[i] > 0 THEN
                    INSERT INTO dispatcher_breaker_window AS w (provider, model, bucket, successes, failures)
                    VALUES (p_provider[i], p_model[i], current_bucket, p_successes[i], p_failures[i])
                    ON CONFLICT (provider, model, bucket) DO UPDATE
                        SET successes = w.successes + excluded.successes, failures = w.failures + excluded.failures;
                END IF;
                DELETE FROM dispatcher_breaker_window w
                    WHERE w.provider = p_provider[i] AND w.model = p_model[i] AND w.bucket <= current_bucket - 10;
                SELECT coalesce(sum(w.successes), 0), coalesce(sum(w.failures), 0) INTO s, f
                    FROM dispatcher_breaker_window w WHERE w.provider = p_provider[i] AND w.model = p_model[i];

                changed := false;
                IF b.state = 'closed' THEN
                    IF s + f >= p_minimum_throughput[i] AND f::double precision / (s + f) >= p_failure_ratio[i] THEN
                        b.state := 'open';
                        b.open_until := now() + p_break_ms[i] * interval '1 millisecond';
                        changed := true;
                    END IF;
                ELSIF now() >= b.open_until THEN
                    -- Half-open: only probes were let through, and their outcome decides for the whole cluster.
                    IF p_successes[i] > 0 THEN
                        b.state := 'closed';
                        b.open_until := NULL;
                        changed := true;
                        DELETE FROM dispatcher_breaker_window w WHERE w.provider = p_provider[i] AND w.model = p_model[i];
                        s := 0;
                        f := 0;
                    ELSIF p_failures[i] > 0 THEN
                        b.open_until := now() + p_break_ms[i] * interval '1 millisecond';
                        changed := true;
                    END IF;
                END IF;

                IF changed THEN
                    UPDATE dispatcher_breakers r SET state = b.state, open_until = b.open_until, version = r.version + 1, changed_at = now()
                        WHERE r.provider = p_provider[i] AND r.model = p_model[i]
                        RETURNING r.version INTO b.version;
                    PERFORM pg_notify('dispatcher_breakers', json_build_object(
                        'provider', b.provider, 'model', b.model, 'state', b.state,
                        'open_until_ms', (extract(epoch FROM b.open_until) * 1000)::bigint, 'version', b.version)::text);
                END IF;

                o_provider := b.provider; o_model := b.model; o_state := b.state; o_open_until := b.open_until;
                o_version := b.version; o_successes := s; o_failures := f; o_db_now := now();
                RETURN NEXT;
            END LOOP;
        END
        $fn$;

        CREATE FUNCTION dispatcher_grant_lease(
            p_provider text, p_key text, p_node text, p_rpm integer, p_tpm bigint,
            p_next_window boolean, p_want_requests integer, p_want_tokens bigint,
            p_used_requests integer, p_used_tokens bigint, p_ttl_ms bigint, p_cooling_until timestamptz)
        RETURNS TABLE (o_window_start timestamptz, o_requests integer, o_tokens bigint, o_expires_at timestamptz,
            o_cooling_until timestamptz, o_db_now timestamptz)
        LANGUAGE plpgsql AS $fn$
        DECLARE
            w timestamptz := date_trunc('minute', now()) + CASE WHEN p_next_window THEN interval '1 minute' ELSE interval '0' END;
            v bigint;
            cooling timestamptz;
            others_requests bigint;
            others_tokens bigint;
            grant_requests integer;
            grant_tokens bigint;
            expires timestamptz;
        BEGIN
            LOOP
                SELECT r.version, r.cooling_until INTO v, cooling FROM dispatcher_budgets r
                    WHERE r.provider = p_provider AND r.key_id = p_key;
                IF NOT FOUND THEN
                    INSERT INTO dispatcher_budgets (provider, key_id) VALUES (p_provider, p_key) ON CONFLICT DO NOTHING;
                    CONTINUE;
                END IF;

                SELECT coalesce(sum(CASE WHEN l.expires_at > now() THEN greatest(l.granted_requests, l.used_requests) ELSE l.used_requests END), 0),
                       coalesce(sum(CASE WHEN l.expires_at > now() THEN greatest(l.granted_tokens, l.used_tokens) ELSE l.used_tokens END), 0)
                    INTO others_requests, others_tokens
                    FROM dispatcher_leases l
                    WHERE l.provider = p_provider AND l.key_id = p_key AND l.window_start = w AND l.node_id <> p_node;

                -- The node keeps what it has used in this window and gets at most what it asks for on top.
                grant_requests := CASE WHEN p_rpm IS NULL THEN p_want_requests
                    ELSE least(p_want_requests, greatest(0, p_rpm - others_requests - p_used_requests))::integer END;
                grant_tokens := CASE WHEN p_tpm IS NULL THEN p_want_tokens
                    ELSE least(p_want_tokens, greatest(0, p_tpm - others_tokens - p_used_tokens)) END;
                cooling := CASE WHEN p_cooling_until IS NULL OR cooling > p_cooling_until THEN cooling ELSE p_cooling_until END;

                -- Compare-and-set: a concurrent grant on this key bumped the version first, so count again.
                UPDATE dispatcher_budgets r SET version = v + 1, cooling_until = cooling
                    WHERE r.provider = p_provider AND r.key_id = p_key AND r.version = v;
                EXIT WHEN FOUND;
            END LOOP;

            expires := least(w + interval '1 minute', greatest(now(), w) + p_ttl_ms * interval '1 millisecond');
            INSERT INTO dispatcher_leases AS l (provider, key_id, window_start, node_id, granted_requests, granted_tokens,
                used_requests, used_tokens, expires_at)
            VALUES (p_provider, p_key, w, p_node, p_used_requests + grant_requests, p_used_tokens + grant_tokens,
                p_used_requests, p_used_tokens, expires)
            ON CONFLICT (provider, key_id, window_start, node_id) DO UPDATE SET
                granted_requests = excluded.granted_requests, granted_tokens = excluded.granted_tokens,
                used_requests = excluded.used_requests, used_tokens = excluded.used_tokens, expires_at = excluded.expires_at;
            DELETE FROM dispatcher_leases l
                WHERE l.provider = p_provider AND l.key_id = p_key AND l.window_start < w - interval '5 minutes';

            o_window_start := w; o_requests := grant_requests; o_tokens := grant_tokens; o_expires_at := expires;
            o_cooling_until := cooling; o_db_now := now();
            RETURN NEXT;
        END
        $fn$;
        """,
    ];
}
