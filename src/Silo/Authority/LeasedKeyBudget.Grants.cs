namespace Dispatcher.Silo.Authority;

// The authority's side of a budget: what the refill loop asks for, and applying what it was granted.
internal sealed partial class LeasedKeyBudget
{
    /// <summary>
    /// What the refill loop should ask for now, or null when nothing is due: a top-up when the lease runs low or is
    /// about to expire, the next window's lease shortly before this window ends, or a cool-down to share.
    /// </summary>
    public GrantRequest? DueGrant(DateTimeOffset now, TimeSpan horizon)
    {
        lock (_gate)
        {
            var requested = Interlocked.Exchange(ref _refillRequested, 0) != 0;
            var coolingToShare = _coolingUntil > _reportedCoolingUntil ? _coolingUntil : (DateTimeOffset?)null;
            var current = InWindow(now);
            if (IsLimited && current is not null && now + horizon >= current.WindowEnd && _next is null)
            {
                return new GrantRequest(this, NextWindow: true, LeaseRequests, LeaseTokens, 0, 0, coolingToShare);
            }

            // An expired lease still counts what this node used in the window: the grant must report it.
            var expiring = current is not null && now + horizon >= current.ExpiresAt && !current.Exhausted;
            if (!requested && !expiring && (current is not null || !IsLimited) && coolingToShare is null)
            {
                return null;
            }

            var wantTokens = Math.Max(LeaseTokens, _neededTokens);
            return new GrantRequest(this, NextWindow: false, LeaseRequests, wantTokens,
                current?.UsedRequests ?? 0, current?.UsedTokens ?? 0, coolingToShare);
        }
    }

    /// <summary>Applies a grant answered by the authority; <paramref name="clockOffset"/> maps its clock to ours.</summary>
    public void Apply(GrantRequest request, Grant grant, TimeSpan clockOffset)
    {
        lock (_gate)
        {
            if (request.CoolingUntil is { } shared && shared > _reportedCoolingUntil)
            {
                _reportedCoolingUntil = shared;
            }

            if (grant.CoolingUntil is { } cooling && cooling - clockOffset > _coolingUntil)
            {
                _coolingUntil = cooling - clockOffset;
                _reportedCoolingUntil = _coolingUntil;
            }

            // Windows are identified on the database's clock: the measured offset moves by a few milliseconds.
            var lease = request.NextWindow ? _next : _current;
            if (lease is null || lease.AuthorityWindowStart != grant.WindowStart)
            {
                var windowStart = grant.WindowStart - clockOffset;
                lease = new Lease { AuthorityWindowStart = grant.WindowStart, WindowStart = windowStart, WindowEnd = windowStart + TimeSpan.FromMinutes(1) };
            }

            // What was spent here while the grant was on its way is taken from the new slice.
            var spentSince = lease.UsedRequests - request.UsedRequests;
            var tokensSince = lease.UsedTokens - request.UsedTokens;
            lease.Requests = grant.Requests - spentSince;
            lease.Tokens = grant.Tokens - tokensSince;
            lease.ExpiresAt = grant.ExpiresAt - clockOffset;
            lease.Exhausted = (Rpm is not null && grant.Requests < request.WantRequests)
                || (Tpm is not null && grant.Tokens < request.WantTokens);
            if (request.NextWindow)
            {
                _next = lease;
            }
            else
            {
                _current = lease;
            }

            _local = null; // the cluster answers again: its leases, not the local window, rule
        }
    }

    /// <summary>The lease held now, for returning it on shutdown and for the operator API.</summary>
    /// <remarks>The window start is on the database's clock.</remarks>
    public (DateTimeOffset WindowStart, int UsedRequests, long UsedTokens)? Held(DateTimeOffset now)
    {
        lock (_gate)
        {
            return InWindow(now) is { } lease ? (lease.AuthorityWindowStart, lease.UsedRequests, lease.UsedTokens) : null;
        }
    }
}

/// <summary>One call of <c>dispatcher_grant_lease</c> the refill loop is about to make.</summary>
internal sealed record GrantRequest(LeasedKeyBudget Budget, bool NextWindow, int WantRequests, long WantTokens,
    int UsedRequests, long UsedTokens, DateTimeOffset? CoolingUntil);

/// <summary>The authority's answer: the slice granted on top of what the node used, on the database's clock.</summary>
internal readonly record struct Grant(DateTimeOffset WindowStart, int Requests, long Tokens, DateTimeOffset ExpiresAt, DateTimeOffset? CoolingUntil);
