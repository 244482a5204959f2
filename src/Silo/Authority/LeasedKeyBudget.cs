using Dispatcher.Grains.Providers;

namespace Dispatcher.Silo.Authority;

/// <summary>
/// A key's budget on one node of a PostgreSQL cluster: spends the lease the authority granted for the current
/// one-minute window (no round trip), asks for more in the background when it runs low, and takes the next window's
/// lease before this one ends. With no usable lease it refuses (the engine falls back with <c>budget_exhausted</c>).
/// While the database is unreachable and the lease is gone it falls back to a conservative local window: the key's
/// Rpm/Tpm divided by the number of nodes last seen alive.
/// </summary>
/// <remarks>
/// <see cref="TryConsume"/> and the settlements run under the provider actor's lock; the authority's refill loop
/// applies grants from another thread, so the lease state has a lock of its own (held for a few instructions).
/// </remarks>
internal sealed partial class LeasedKeyBudget : IKeyBudget
{
    // When a refill is pending, a refused caller should come back soon: grants take one round trip.
    private static readonly TimeSpan RefillRetryAfter = TimeSpan.FromMilliseconds(100);

    private readonly Lock _gate = new();
    private readonly PostgresProviderAuthority _authority;
    private readonly TimeProvider _time;
    private Lease? _current;
    private Lease? _next;
    private DateTimeOffset _coolingUntil;
    private DateTimeOffset _reportedCoolingUntil;
    private KeyWindowBudget? _local;
    private int _refillRequested;
    private long _neededTokens;

    public LeasedKeyBudget(PostgresProviderAuthority authority, string provider, string keyId, int? rpm, int? tpm, TimeProvider time)
    {
        _authority = authority;
        Provider = provider;
        KeyId = keyId;
        Rpm = rpm;
        Tpm = tpm;
        _time = time;
        LeaseRequests = rpm is { } r ? Math.Max(1, (r + 9) / 10) : 0;
        LeaseTokens = tpm is { } t ? Math.Max(1, (t + 9) / 10) : 0;
    }

    public string Provider { get; }

    public string KeyId { get; }

    public int? Rpm { get; }

    public int? Tpm { get; }

    /// <summary>Whether leases are needed at all (a key without Rpm and Tpm only shares cool-downs).</summary>
    public bool IsLimited => Rpm is not null || Tpm is not null;

    /// <summary>The slice asked for per grant: a tenth of the minute's budget.</summary>
    public int LeaseRequests { get; }

    /// <summary>The token slice asked for per grant: a tenth of the minute's budget.</summary>
    public long LeaseTokens { get; }

    public int? RemainingRequests
    {
        get
        {
            lock (_gate)
            {
                return Rpm is null ? null : Usable(_time.GetUtcNow()) is { } lease ? Math.Max(0, lease.Requests) : 0;
            }
        }
    }

    public long? RemainingTokens
    {
        get
        {
            lock (_gate)
            {
                return Tpm is null ? null : Usable(_time.GetUtcNow()) is { } lease ? Math.Max(0, lease.Tokens) : 0;
            }
        }
    }

    public DateTimeOffset? CoolingUntil
    {
        get
        {
            lock (_gate)
            {
                return _coolingUntil > _time.GetUtcNow() ? _coolingUntil : null;
            }
        }
    }

    public bool TryConsume(int estimatedTokens, out TimeSpan retryAfter)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(estimatedTokens);
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (_coolingUntil > now)
            {
                retryAfter = _coolingUntil - now;
                return false;
            }

            if (!IsLimited)
            {
                retryAfter = TimeSpan.Zero;
                return true;
            }

            if (Usable(now) is { } lease && (Rpm is null || lease.Requests > 0) && (Tpm is null || lease.Tokens >= estimatedTokens))
            {
                lease.Requests--;
                lease.Tokens -= estimatedTokens;
                lease.UsedRequests++;
                lease.UsedTokens += estimatedTokens;
                if ((Rpm is not null && lease.Requests * 2 < LeaseRequests) || (Tpm is not null && lease.Tokens * 2 < LeaseTokens))
                {
                    RequestRefill(estimatedTokens);
                }

                retryAfter = TimeSpan.Zero;
                return true;
            }

            if (_authority.IsDegraded)
            {
                // No lease, no database: a conservative local window keeps the node serving.
                _local ??= new KeyWindowBudget(LocalShare(Rpm), LocalShare(Tpm), _time);
                return _local.TryConsume(estimatedTokens, out retryAfter);
            }

            RequestRefill(estimatedTokens);
            var exhaustedUntil = InWindow(now) is { } spent && spent.Exhausted ? spent.WindowEnd : now + RefillRetryAfter;
            retryAfter = exhaustedUntil - now;
            return false;
        }
    }

    public void Adjust(int reservedTokens, int actualTokens)
    {
        lock (_gate)
        {
            if (InWindow(_time.GetUtcNow()) is { } lease)
            {
                lease.Tokens -= actualTokens - reservedTokens;
                lease.UsedTokens = Math.Max(0, lease.UsedTokens + actualTokens - reservedTokens);
            }
        }
    }

    public void Refund(int reservedTokens)
    {
        lock (_gate)
        {
            if (InWindow(_time.GetUtcNow()) is { } lease && lease.UsedRequests > 0)
            {
                lease.Requests++;
                lease.Tokens += reservedTokens;
                lease.UsedRequests--;
                lease.UsedTokens = Math.Max(0, lease.UsedTokens - reservedTokens);
            }
        }
    }

    public void CoolDown(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        lock (_gate)
        {
            var until = _time.GetUtcNow() + duration;
            if (until > _coolingUntil)
            {
                _coolingUntil = until;
                RequestRefill(0); // the cool-down goes to the cluster with the next grant
            }
        }
    }

    private void RequestRefill(int estimatedTokens)
    {
        _neededTokens = Math.Max(_neededTokens, estimatedTokens);
        if (Interlocked.Exchange(ref _refillRequested, 1) == 0)
        {
            _authority.WakeRefill();
        }
    }

    // The lease that may be spent now: the one of the window we are in, unless it has expired.
    private Lease? Usable(DateTimeOffset now) => InWindow(now) is { } lease && now < lease.ExpiresAt ? lease : null;

    // The lease of the window we are in (expired or not): the current one, or the prefetched next once its window began.
    private Lease? InWindow(DateTimeOffset now)
    {
        if (_next is not null && now >= _next.WindowStart)
        {
            _current = _next;
            _next = null;
            _neededTokens = 0;
        }

        return _current is { } lease && now >= lease.WindowStart && now < lease.WindowEnd ? lease : null;
    }

    private int? LocalShare(int? perMinute) => perMinute is { } value ? Math.Max(1, value / Math.Max(1, _authority.LiveNodes)) : null;

    private long? LocalShare(long? perMinute) => perMinute is { } value ? Math.Max(1, value / Math.Max(1, _authority.LiveNodes)) : null;

    private sealed class Lease
    {
        public DateTimeOffset AuthorityWindowStart;
        public DateTimeOffset WindowStart;
        public DateTimeOffset WindowEnd;
        public DateTimeOffset ExpiresAt;
        public int Requests;
        public long Tokens;
        public int UsedRequests;
        public long UsedTokens;
        public bool Exhausted;
    }
}
