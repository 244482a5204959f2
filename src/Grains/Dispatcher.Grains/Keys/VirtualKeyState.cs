namespace Dispatcher.Grains.Keys;

/// <summary>
/// One key's live state on this node: its one-minute request window and its spend this month. Owns it alone; one
/// lock held for a few instructions. The spend is seeded from the ledger and, in a cluster, raised to the cluster
/// ledger's figure at each refresh (<see cref="VirtualKeyRegistry.LoadAsync"/>); the request window is this node's.
/// </summary>
public sealed class VirtualKeyState
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly Lock _gate = new();
    private DateTimeOffset _windowStart = DateTimeOffset.MinValue;
    private int _windowCount;
    private DateTimeOffset _month;
    private decimal _spent;

    internal VirtualKeyState(VirtualKey key, DateTimeOffset month, decimal spent)
    {
        Key = key;
        _month = month;
        _spent = spent;
    }

    /// <summary>The key.</summary>
    public VirtualKey Key { get; }

    /// <summary>Spend this month as this node knows it.</summary>
    public decimal SpentThisMonth(DateTimeOffset now)
    {
        lock (_gate)
        {
            Roll(now);
            return _spent;
        }
    }

    /// <summary>Counts one request if the key's rate and budget allow it.</summary>
    public KeyAdmission Admit(DateTimeOffset now)
    {
        lock (_gate)
        {
            Roll(now);
            decimal? left = Key.MonthlyBudgetUsd is { } budget ? Math.Max(0m, budget - _spent) : null;
            if (left <= 0m)
            {
                return new KeyAdmission(KeyVerdict.BudgetExhausted, TimeSpan.Zero, 0m);
            }

            if (Key.Rpm is { } rpm)
            {
                if (now - _windowStart >= Window)
                {
                    (_windowStart, _windowCount) = (now, 0);
                }

                if (_windowCount >= rpm)
                {
                    return new KeyAdmission(KeyVerdict.RateLimited, _windowStart + Window - now, left);
                }

                _windowCount++;
            }

            return new KeyAdmission(KeyVerdict.Admitted, TimeSpan.Zero, left);
        }
    }

    /// <summary>Adds what a request cost.</summary>
    public void Spend(decimal costUsd, DateTimeOffset now)
    {
        lock (_gate)
        {
            Roll(now);
            _spent += costUsd;
        }
    }

    /// <summary>
    /// Takes the ledger's figure for <paramref name="month"/> (every node's committed rows) when it is higher than
    /// this node's: rows this node has charged but not yet committed keep the local figure until the next refresh.
    /// </summary>
    internal void SyncSpend(DateTimeOffset month, decimal ledgerSpent)
    {
        lock (_gate)
        {
            if (month != _month)
            {
                (_month, _spent) = (month, ledgerSpent);
            }
            else if (ledgerSpent > _spent)
            {
                _spent = ledgerSpent;
            }
        }
    }

    internal static DateTimeOffset MonthOf(DateTimeOffset now) => new(now.UtcDateTime.Year, now.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero);

    private void Roll(DateTimeOffset now)
    {
        var month = MonthOf(now);
        if (month != _month)
        {
            (_month, _spent) = (month, 0m);
        }
    }
}
