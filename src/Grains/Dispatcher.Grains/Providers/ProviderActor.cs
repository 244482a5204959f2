using Dispatcher.Providers;

namespace Dispatcher.Grains.Providers;

/// <summary>
/// One upstream provider on this node: owns its key pool (each key with its budget, parked on auth or quota
/// failures) and the breaker of each deployment it serves. Single writer: every state change happens under one lock
/// held for microseconds, never across I/O. Callers ask for a lease before an attempt and report its outcome after.
/// </summary>
public sealed partial class ProviderActor
{
    private static readonly TimeSpan AuthParking = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan QuotaParking = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan DefaultCoolDown = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private readonly ProviderKey[] _keys;
    private readonly Dictionary<string, IDeploymentBreaker> _breakers = new(StringComparer.Ordinal);
    private readonly IProviderAuthority _authority;
    private readonly BreakerOptions _breakerOptions;
    private readonly TimeProvider _time;
    private int _nextKey;

    /// <summary>Creates the actor with its key pool; keys get their budgets from <paramref name="authority"/>.</summary>
    public ProviderActor(string name, IChatAdapter adapter, IReadOnlyList<string> secrets, int? rpm, int? tpm,
        BreakerOptions breakerOptions, IProviderAuthority authority, TimeProvider time)
    {
        Name = name;
        Adapter = adapter;
        _authority = authority;
        _breakerOptions = breakerOptions;
        _time = time;
        var pool = secrets.Count == 0 ? [string.Empty] : secrets;
        _keys = pool.Select(secret =>
        {
            var id = ProviderKey.IdOf(secret);
            return new ProviderKey(id, secret, authority.GetBudget(name, id, rpm, tpm));
        }).ToArray();
    }

    /// <summary>The provider's configured name.</summary>
    public string Name { get; }

    /// <summary>The adapter that speaks this provider's wire format.</summary>
    public IChatAdapter Adapter { get; }

    /// <summary>The breaker of deployment <paramref name="upstreamModel"/>, created on first use.</summary>
    public IDeploymentBreaker Deployment(string upstreamModel)
    {
        lock (_gate)
        {
            if (!_breakers.TryGetValue(upstreamModel, out var breaker))
            {
                breaker = _authority.GetBreaker(Name, upstreamModel, _breakerOptions);
                _breakers.Add(upstreamModel, breaker);
            }

            return breaker;
        }
    }

    /// <summary>
    /// Asks for one attempt on <paramref name="breaker"/>'s deployment: picks the next key (round robin) that is not
    /// parked and has budget, then passes the breaker. Otherwise says why the candidate is skipped and for how long.
    /// </summary>
    public AcquireResult TryAcquire(IDeploymentBreaker breaker, int estimatedTokens)
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var shortestWait = TimeSpan.MaxValue;
            var parkedReason = FailureKind.None;
            for (var i = 0; i < _keys.Length; i++)
            {
                var key = _keys[(_nextKey + i) % _keys.Length];
                if (key.ParkedUntil > now)
                {
                    parkedReason = parkedReason == FailureKind.None ? key.ParkedFor : parkedReason;
                    shortestWait = Min(shortestWait, key.ParkedUntil - now);
                    continue;
                }

                if (!key.Budget.TryConsume(estimatedTokens, out var wait))
                {
                    parkedReason = FailureKind.BudgetExhausted;
                    shortestWait = Min(shortestWait, wait);
                    continue;
                }

                if (!breaker.TryAcquire(out var breakerWait))
                {
                    key.Budget.Refund(estimatedTokens);
                    return new AcquireResult(default, FailureKind.BreakerOpen, breakerWait);
                }

                _nextKey = (_nextKey + i + 1) % _keys.Length;
                return new AcquireResult(new ProviderLease(key, breaker, estimatedTokens), FailureKind.None, TimeSpan.Zero);
            }

            return new AcquireResult(default, parkedReason, shortestWait);
        }
    }

    /// <summary>
    /// Records how an attempt ended: the breaker counts deployment failures, the key's budget takes the real token
    /// count and the upstream's rate-limit word, and a key the upstream refused is parked.
    /// </summary>
    /// <returns>True when the deployment's breaker changed state.</returns>
    public bool Report(in ProviderLease lease, FailureKind kind, TimeSpan? retryAfter, RateLimitHint hint, int actualTokens)
    {
        lock (_gate)
        {
            var key = lease.Key;
            key.Budget.Adjust(lease.ReservedTokens, actualTokens);
            if (hint.Exhausted)
            {
                key.Budget.CoolDown(hint.ResetAfter ?? DefaultCoolDown);
            }

            switch (kind)
            {
                case FailureKind.RateLimited:
                    key.Budget.CoolDown(retryAfter ?? DefaultCoolDown);
                    break;
                case FailureKind.QuotaExhausted:
                    Park(key, kind, QuotaParking);
                    break;
                case FailureKind.AuthFailed:
                    Park(key, kind, AuthParking);
                    break;
                default:
                    break;
            }

            var changed = BreakerVerdict(kind) switch
            {
                true => lease.Breaker.RecordSuccess(),
                false => lease.Breaker.RecordFailure(),
                null => false,
            };
            if (changed)
            {
                OnBreakerChanged(lease.Breaker);
            }

            return changed;
        }
    }

    /// <summary>Gives back a lease whose attempt never reached the upstream.</summary>
    public void Release(in ProviderLease lease)
    {
        lock (_gate)
        {
            lease.Key.Budget.Refund(lease.ReservedTokens);
        }
    }

    /// <summary>Whether any key could serve now (not parked, not cooling down).</summary>
    public bool HasUsableKey()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            return _keys.Any(key => key.ParkedUntil <= now && (key.Budget.CoolingUntil is null || key.Budget.CoolingUntil <= now));
        }
    }

    /// <summary>
    /// What an outcome says about the deployment: true = it works (even if this request was refused), false = it is
    /// failing, null = nothing (the key, or the client, was the problem).
    /// </summary>
    internal static bool? BreakerVerdict(FailureKind kind) => kind switch
    {
        FailureKind.None or FailureKind.InvalidRequest or FailureKind.ContextOverflow or FailureKind.ContentFiltered
            or FailureKind.SchemaViolation => true,
        FailureKind.ServerError or FailureKind.Timeout or FailureKind.FirstTokenTimeout or FailureKind.StreamStalled
            or FailureKind.StreamCut or FailureKind.ConnectionFailed or FailureKind.InvalidResponse or FailureKind.ModelNotFound => false,
        _ => null,
    };

    private void Park(ProviderKey key, FailureKind reason, TimeSpan duration)
    {
        var until = _time.GetUtcNow() + duration;
        if (until > key.ParkedUntil)
        {
            key.ParkedUntil = until;
            key.ParkedFor = reason;
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
