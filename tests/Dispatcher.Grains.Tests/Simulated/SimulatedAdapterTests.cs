using System.Buffers;
using System.Text;
using System.Text.Json;
using Dispatcher.Providers;
using Dispatcher.Providers.Chat;
using Dispatcher.Providers.Simulated;
using Xunit;

namespace Dispatcher.Grains.Tests.Simulated;

public sealed class SimulatedAdapterTests
{
    [Fact]
    public async Task OpenStream_EveryChunkCarriesOneIdAndTheLastCarriesUsage()
    {
        using var request = Parse("{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        var adapter = new SimulatedAdapter(new SimulatedAdapterOptions());

        var opened = await adapter.OpenStreamAsync(new UpstreamCall(request, new UpstreamModel("sim-1"), string.Empty), CancellationToken.None);
        await using var source = opened.Source!;
        var ids = new HashSet<string>();
        var text = new StringBuilder();
        var sawUsage = false;
        while (await source.ReadAsync(CancellationToken.None) == ChunkReadStatus.Chunk)
        {
            using var chunk = JsonDocument.Parse(source.Chunk);
            ids.Add(chunk.RootElement.GetProperty("id").GetString()!);
            foreach (var choice in chunk.RootElement.GetProperty("choices").EnumerateArray())
            {
                text.Append(choice.GetProperty("delta").TryGetProperty("content", out var content) ? content.GetString() : null);
            }

            sawUsage |= source.Facts.IsUsageOnly && source.Facts.Usage is { CompletionTokens: > 0 };
        }

        Assert.Single(ids);
        Assert.StartsWith("Hello from sim-1", text.ToString(), StringComparison.Ordinal);
        Assert.True(sawUsage);
    }

    [Fact]
    public async Task Complete_FailureRateOne_FailsAsServerError()
    {
        using var request = Parse("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        var adapter = new SimulatedAdapter(new SimulatedAdapterOptions { FailureRate = 1 });

        using var result = await adapter.CompleteAsync(new UpstreamCall(request, new UpstreamModel("sim-1"), string.Empty), CancellationToken.None);

        Assert.Equal(FailureKind.ServerError, result.Failure?.Kind);
    }

    private static ChatRequest Parse(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var pooled = ArrayPool<byte>.Shared.Rent(bytes.Length);
        bytes.CopyTo(pooled, 0);
        return ChatRequestParser.Parse(pooled, bytes.Length, out var error) ?? throw new InvalidOperationException(error!.Message);
    }
}
