namespace Dispatcher.Grains.Providers;

/// <summary>
/// The requests-per-minute and tokens-per-minute budget of one API key: at most <c>Rpm</c> requests and <c>Tpm</c>
/// tokens in each one-minute window of the clock (windows start on the minute), plus the cool-downs the upstream
/// asks for.
/// </summary>
/// <remarks>
/// Not thread-safe: its owner (the provider's actor) serializes every call. Tokens are reserved from an estimate when
/// a request is admitted and corrected with the reported usage by <see cref="Adjust"/>, or given back by
/// <see cref="Refund"/>. A window remembers the reservations it admitted that are not settled yet; a settlement that
/// finds none left (the reservation was made in an earlier window) is ignored.
/// </remarks>
public sealed class KeyWindowBudget : IKeyBudget
{
    private readonly int? _rpm;
    private readonly int? _tpm;
    private readonly TimeProvider _time;

    private long _windowId;
    private int _requests;
    private long _tokens;
    private int _unsettledRequests;
    private long _unsettledTokens;
    private DateTimeOffset _coolingUntil;

    /// <summary>Creates a budget with nothing spent.</summary>
    /// <param name="rpm">Requests allowed per one-minute window; <see langword="null"/> = unlimited.</param>
    /// <param name="tpm">Tokens allowed per one-minute window; <see langword="null"/> = unlimited.</param>
    /// <param name="time">The clock whose minutes are the windows.</param>
    public KeyWindowBudget(int? rpm, int? tpm, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        if (rpm is { } r)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(r, nameof(rpm));
        }

        if (tpm is { } t)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(t, nameof(tpm));
        }

        _rpm = rpm;
        _tpm = tpm;
        _time = time;
        _windowId = WindowIdAt(time.GetUtcNow());
    }

    /// <summary>Requests left in the current window (cool-downs aside); <see langword="null"/> when unlimited.</summary>
    public int? RemainingRequests => _rpm is { } rpm ? Math.Max(0, rpm - (IsCurrentWindow() ? _requests : 0)) : null;

    /// <summary>Tokens left in the current window (cool-downs aside); <see langword="null"/> when unlimited.</summary>
    public long? RemainingTokens => _tpm is { } tpm ? Math.Max(0, tpm - (IsCurrentWindow() ? _tokens : 0)) : null;

    /// <summary>The end of the cool-down in force, or <see langword="null"/> when there is none.</summary>
    public DateTimeOffset? CoolingUntil => _coolingUntil > _time.GetUtcNow() ? _coolingUntil : null;

    /// <summary>
    /// Admits one request and reserves <paramref name="estimatedTokens"/> in the current window when both fit and no
    /// cool-down is in force. A request larger than the whole Tpm is admitted into a window that has spent no tokens
    /// yet, so that a huge prompt is not refused forever.
    /// </summary>
    /// <param name="estimatedTokens">The tokens to reserve (prompt estimate plus expected output).</param>
    /// <param name="retryAfter">When refused, the time until the cool-down ends or the next window starts, whichever
    /// frees the budget; otherwise zero.</param>
    public bool TryConsume(int estimatedTokens, out TimeSpan retryAfter)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(estimatedTokens);
        var now = _time.GetUtcNow();
        Roll(now);

        // Lifted comparisons: an unlimited (null) budget is never full.
        var windowFull = _requests >= _rpm
            || (_tokens > 0 && (_tokens >= _tpm || _tokens + estimatedTokens > _tpm));
        if (windowFull || _coolingUntil > now)
        {
            var until = windowFull ? WindowStart(_windowId + 1) : now;
            retryAfter = (_coolingUntil > until ? _coolingUntil : until) - now;
            return false;
        }

        _requests++;
        _tokens += estimatedTokens;
        _unsettledRequests++;
        _unsettledTokens += estimatedTokens;
        retryAfter = TimeSpan.Zero;
        return true;
    }

    /// <summary>
    /// Corrects the window's token spend with the usage the upstream reported for an admitted request (up or down,
    /// never below zero). Ignored when the reservation was made in an earlier window.
    /// </summary>
    public void Adjust(int reservedTokens, int actualTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(actualTokens);
        if (TrySettle(reservedTokens))
        {
            _tokens = Math.Max(0, _tokens + actualTokens - reservedTokens);
        }
    }

    /// <summary>
    /// Gives back the request and the tokens of an admitted request that was never sent. Ignored when the reservation
    /// was made in an earlier window.
    /// </summary>
    public void Refund(int reservedTokens)
    {
        if (TrySettle(reservedTokens))
        {
            _requests = Math.Max(0, _requests - 1);
            _tokens = Math.Max(0, _tokens - reservedTokens);
        }
    }

    /// <summary>
    /// Admits nothing until now + <paramref name="duration"/>, as the upstream asked (a 429's Retry-After, or no
    /// requests remaining until a reset). A shorter cool-down never shortens the one in force.
    /// </summary>
    public void CoolDown(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        var until = _time.GetUtcNow() + duration;
        _coolingUntil = until > _coolingUntil ? until : _coolingUntil;
    }

    private bool TrySettle(int reservedTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(reservedTokens);
        Roll(_time.GetUtcNow());
        if (_unsettledRequests == 0 || reservedTokens > _unsettledTokens)
        {
            return false;
        }

        _unsettledRequests--;
        _unsettledTokens -= reservedTokens;
        return true;
    }

    private void Roll(DateTimeOffset now)
    {
        var id = WindowIdAt(now);
        if (id != _windowId)
        {
            _windowId = id;
            _requests = 0;
            _tokens = 0;
            _unsettledRequests = 0;
            _unsettledTokens = 0;
        }
    }

    private bool IsCurrentWindow() => WindowIdAt(_time.GetUtcNow()) == _windowId;

    private static long WindowIdAt(DateTimeOffset time) => time.UtcTicks / TimeSpan.TicksPerMinute;

    private static DateTimeOffset WindowStart(long windowId) => new(windowId * TimeSpan.TicksPerMinute, TimeSpan.Zero);
}
