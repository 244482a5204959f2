using System.Text;
using System.Text.Json.Nodes;
using Dispatcher.Providers;

namespace Dispatcher.ApiFront.Tests.Anthropic;

/// <summary>Reads a translated stream to its end, keeping each chunk's JSON and facts.</summary>
internal static class AnthropicChunks
{
    public static string Text(List<ReadChunk> chunks) =>
        string.Concat(chunks.Select(c => c.Json["choices"]!.AsArray().FirstOrDefault()?["delta"]?["content"]?.GetValue<string>() ?? string.Empty));

    public static async Task<(List<ReadChunk> Chunks, ChunkReadStatus Status)> ReadAllAsync(IChunkSource source)
    {
        var chunks = new List<ReadChunk>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var status = await source.ReadAsync(timeout.Token);
            if (status != ChunkReadStatus.Chunk)
            {
                return (chunks, status);
            }

            chunks.Add(new ReadChunk(JsonNode.Parse(Encoding.UTF8.GetString(source.Chunk.Span))!, source.Facts));
        }
    }

    public sealed record ReadChunk(JsonNode Json, ResponseFacts Facts);
}
