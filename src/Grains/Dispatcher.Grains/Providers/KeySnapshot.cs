namespace Dispatcher.Grains.Providers;

/// <summary>One key: its public id, parking and budget left (never its secret).</summary>
public sealed record KeySnapshot(string Id, bool Parked, string? ParkedFor, DateTimeOffset? ParkedUntil,
    int? RemainingRequests, long? RemainingTokens, DateTimeOffset? CoolingUntil);
