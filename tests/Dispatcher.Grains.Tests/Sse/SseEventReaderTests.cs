using System.Text;
using Dispatcher.Providers.Sse;
using Xunit;

namespace Dispatcher.Grains.Tests.Sse;

public sealed class SseEventReaderTests
{
    [Fact]
    public async Task ReadAsync_EventsSplitAcrossTinyReads_ReturnsEachData()
    {
        const string body = "data: {\"id\":\"1\",\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n"
            + "data: {\"id\":\"1\",\"choices\":[{\"delta\":{\"content\":\"lo\"}}]}\n\n"
            + "data: [DONE]\n\n";

        var events = await ReadAll(body);

        Assert.Equal(
            [
                "{\"id\":\"1\",\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}",
                "{\"id\":\"1\",\"choices\":[{\"delta\":{\"content\":\"lo\"}}]}",
                "[DONE]",
                "<EndOfStream>",
            ],
            events.Select(e => e.Data));
    }

    [Fact]
    public async Task ReadAsync_CrLfLineEndings_StripsCarriageReturns()
    {
        var events = await ReadAll("data: a\r\n\r\nevent: done\r\ndata: b\r\n\r\n");

        Assert.Equal(["a", "b", "<EndOfStream>"], events.Select(e => e.Data));
        Assert.Equal("done", events[1].EventName);
    }

    [Fact]
    public async Task ReadAsync_Comments_AreIgnored()
    {
        var events = await ReadAll(": ping\n\n:\n\ndata: a\n: keep-alive\ndata: b\n\n: OPENROUTER PROCESSING\n\n");

        Assert.Equal(["a\nb", "<EndOfStream>"], events.Select(e => e.Data));
    }

    [Fact]
    public async Task ReadAsync_EventName_ReturnedWithItsData()
    {
        var events = await ReadAll("event: content_block_delta\ndata: {\"x\":1}\n\ndata: {\"y\":2}\n\n");

        Assert.Equal("content_block_delta", events[0].EventName);
        Assert.Equal("{\"x\":1}", events[0].Data);
        Assert.Equal(string.Empty, events[1].EventName);
        Assert.Equal("{\"y\":2}", events[1].Data);
    }

    [Fact]
    public async Task ReadAsync_NamedBlockWithoutData_NameNotCarriedToNextEvent()
    {
        var events = await ReadAll("event: ping\n\ndata: a\n\n");

        Assert.Equal("a", events[0].Data);
        Assert.Equal(string.Empty, events[0].EventName);
    }

    [Fact]
    public async Task ReadAsync_MultiLineData_JoinedWithNewlines()
    {
        var events = await ReadAll("data: {\ndata:   \"a\": 1\ndata:}\n\n");

        Assert.Equal("{\n  \"a\": 1\n}", events[0].Data);
    }

    [Theory]
    [InlineData("data:x\n\n", "x")]
    [InlineData("data:  x\n\n", " x")]
    [InlineData("data: \n\n", "")]
    [InlineData("data\n\n", "")]
    [InlineData("id: 7\nretry: 1000\ndata: x\nunknown: y\n\n", "x")]
    public async Task ReadAsync_FieldSyntax_FollowsSseRules(string body, string expected)
    {
        var events = await ReadAll(body);

        Assert.Equal(SseReadStatus.Event, events[0].Status);
        Assert.Equal(expected, events[0].Data);
    }

    [Fact]
    public async Task ReadAsync_DataWithoutTrailingBlankLineAtEof_ReturnsEventThenEnd()
    {
        var events = await ReadAll("data: a\n\ndata: last\n");

        Assert.Equal(["a", "last", "<EndOfStream>"], events.Select(e => e.Data));
    }

    [Fact]
    public async Task ReadAsync_UnterminatedLineAtEof_IsDropped()
    {
        var events = await ReadAll("data: a\n\ndata: cut mid-li");

        Assert.Equal(["a", "<EndOfStream>"], events.Select(e => e.Data));
    }

    [Fact]
    public async Task ReadAsync_EmptyStream_ReturnsEndOfStream()
    {
        var events = await ReadAll(string.Empty);

        Assert.Equal([SseReadStatus.EndOfStream], events.Select(e => e.Status));
    }

    [Fact]
    public async Task ReadAsync_OnlyCommentsAndBlankLines_ReturnsEndOfStream()
    {
        var events = await ReadAll(": ping\n\n\n\r\n: ping\n\n");

        Assert.Equal([SseReadStatus.EndOfStream], events.Select(e => e.Status));
    }

    [Fact]
    public async Task ReadAsync_EventOverLimit_ReturnsTooLarge()
    {
        var big = new string('x', 100);

        var events = await ReadAll("data: small\n\ndata: " + big + "\n\n", maxEventBytes: 64);

        Assert.Equal([SseReadStatus.Event, SseReadStatus.TooLarge], events.Select(e => e.Status));
        Assert.Equal("small", events[0].Data);
    }

    [Fact]
    public async Task ReadAsync_ManyDataLinesOverLimit_ReturnsTooLarge()
    {
        var body = string.Concat(Enumerable.Repeat("data: 0123456789\n", 10)) + "\n";

        var events = await ReadAll(body, maxEventBytes: 64);

        Assert.Equal([SseReadStatus.TooLarge], events.Select(e => e.Status));
    }

    [Fact]
    public async Task ReadAsync_LineLongerThanBufferWithoutNewline_ReturnsTooLarge()
    {
        // Far over the limit and the reader's 16 KiB buffer, with no newline: it must stop, not buffer it all.
        var body = "data: " + new string('x', 200_000);

        var events = await ReadAll(body, maxEventBytes: 20_000, maxPiece: 4096);

        Assert.Equal([SseReadStatus.TooLarge], events.Select(e => e.Status));
    }

    [Fact]
    public async Task ReadAsync_EventLargerThanInitialBuffer_WithinLimit_Returned()
    {
        var payload = new string('y', 40_000);

        var events = await ReadAll("data: " + payload + "\n\ndata: next\n\n", maxEventBytes: 64 * 1024, maxPiece: 5000);

        Assert.Equal(payload, events[0].Data);
        Assert.Equal("next", events[1].Data);
    }

    [Fact]
    public async Task ReadAsync_Utf8SplitAcrossReads_DataKeptExactly()
    {
        var events = await ReadAll("data: héllo 😀 世界\n\n");

        Assert.Equal("héllo 😀 世界", events[0].Data);
    }

    private static async Task<List<(SseReadStatus Status, string EventName, string Data)>> ReadAll(
        string body, int maxEventBytes = 4 * 1024 * 1024, int maxPiece = 7)
    {
        await using var stream = new TrickleStream(Encoding.UTF8.GetBytes(body), maxPiece);
        using var reader = new SseEventReader(stream, maxEventBytes);
        var events = new List<(SseReadStatus, string, string)>();
        while (events.Count < 100)
        {
            var status = await reader.ReadAsync(CancellationToken.None);
            if (status != SseReadStatus.Event)
            {
                events.Add((status, string.Empty, status == SseReadStatus.EndOfStream ? "<EndOfStream>" : "<TooLarge>"));
                return events;
            }

            events.Add((status, Encoding.UTF8.GetString(reader.EventName), Encoding.UTF8.GetString(reader.Data.Span)));
        }

        throw new InvalidOperationException("the reader never reached the end of the stream");
    }
}
