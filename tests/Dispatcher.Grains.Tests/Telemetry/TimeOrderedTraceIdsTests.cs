using System.Globalization;
using Dispatcher.Grains.Telemetry;
using Xunit;

namespace Dispatcher.Grains.Tests.Telemetry;

/// <summary>Request ids (trace ids) that sort by creation time, so the ledger appends to its key index.</summary>
public sealed class TimeOrderedTraceIdsTests
{
    [Fact]
    public void Create_StartsWithTheUnixMillisecondsOfNow()
    {
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var id = TimeOrderedTraceIds.Create().ToHexString();
        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        var millis = long.Parse(id[..12], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        Assert.InRange(millis, before, after);
    }

    [Fact]
    public void Create_ManyIds_AllDistinctAndInCreationOrderByTheirTimePart()
    {
        var ids = Enumerable.Range(0, 10_000).Select(_ => TimeOrderedTraceIds.Create().ToHexString()).ToList();

        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        var timeParts = ids.Select(id => id[..12]).ToList();
        Assert.Equal(timeParts.Order(StringComparer.Ordinal), timeParts);
        // The rest is random: not all ids made in one millisecond share it.
        Assert.True(ids.Select(id => id[12..]).Distinct(StringComparer.Ordinal).Count() > ids.Count / 2);
    }
}
