using System.Text;
using Dispatcher.Providers.Sse;
using Xunit;

namespace Dispatcher.Grains.Tests.Sse;

public sealed class SseEventReaderBufferTests
{
    [Fact]
    public async Task HasBufferedEvent_OnlyForAWholeEventAlreadyRead()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes("data: a\n\ndata: b\n\ndata: c"));
        using var reader = new SseEventReader(stream);

        Assert.Equal(SseReadStatus.Event, await reader.ReadAsync(CancellationToken.None));
        Assert.True(reader.HasBufferedEvent);
        Assert.Equal(SseReadStatus.Event, await reader.ReadAsync(CancellationToken.None));
        Assert.False(reader.HasBufferedEvent);
    }
}
