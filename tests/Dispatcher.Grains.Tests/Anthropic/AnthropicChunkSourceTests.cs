using System.Text;
using System.Text.Json.Nodes;
using Dispatcher.Grains.Tests.Sse;
using Dispatcher.Providers;
using Dispatcher.Providers.Anthropic;
using Xunit;

namespace Dispatcher.Grains.Tests.Anthropic;

public sealed class AnthropicChunkSourceTests
{
    private const long Created = 1_700_000_000;

    [Fact]
    public async Task Read_TextTranscript_RoleContentFinishAndUsageChunks()
    {
        var (chunks, end) = await ReadAllAsync(AnthropicFixtures.Read("stream-text.sse"));

        Assert.Equal(ChunkReadStatus.Done, end.Status);
        Assert.Equal(5, chunks.Count);
        var role = chunks[0];
        Assert.Equal("assistant", Delta(role)["role"]!.GetValue<string>());
        Assert.Equal("claude-3-5-sonnet-20241022", role.Facts.Model);
        Assert.Equal("msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", role.Facts.Id);
        Assert.False(role.Facts.HasOutput);
        foreach (var chunk in chunks)
        {
            Assert.Equal("chat.completion.chunk", chunk.Json["object"]!.GetValue<string>());
            Assert.Equal("msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", chunk.Json["id"]!.GetValue<string>());
            Assert.Equal("claude-3-5-sonnet-20241022", chunk.Json["model"]!.GetValue<string>());
            Assert.Equal(Created, chunk.Json["created"]!.GetValue<long>());
        }

        Assert.Equal("Hello!", Content(chunks));
        Assert.True(chunks[1].Facts.HasOutput);
        Assert.Equal("stop", chunks[3].Json["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.Equal(FinishReasons.Stop, chunks[3].Facts.FinishReason);
        var usage = chunks[4];
        Assert.True(usage.Facts.IsUsageOnly);
        Assert.Equal(new TokenUsage(25, 15, 0, 0), usage.Facts.Usage);
        Assert.Empty(usage.Json["choices"]!.AsArray());
        Assert.Equal(40, usage.Json["usage"]!["total_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task Read_ToolUseTranscript_ToolCallDeltasRebuildTheArguments()
    {
        var (chunks, end) = await ReadAllAsync(AnthropicFixtures.Read("stream-tool-use.sse"));

        Assert.Equal(ChunkReadStatus.Done, end.Status);
        Assert.Equal("Okay, let's check the weather for San Francisco, CA:", Content(chunks));
        var toolChunks = chunks.Where(c => c.Facts.HasToolCalls).ToList();
        var start = Delta(toolChunks[0])["tool_calls"]![0]!;
        Assert.Equal(0, start["index"]!.GetValue<int>());
        Assert.Equal("toolu_01T1x1fJ34qAmk2tNTrN7Up6", start["id"]!.GetValue<string>());
        Assert.Equal("function", start["type"]!.GetValue<string>());
        Assert.Equal("get_weather", start["function"]!["name"]!.GetValue<string>());
        var arguments = string.Concat(toolChunks.Select(c => Delta(c)["tool_calls"]![0]!["function"]!["arguments"]!.GetValue<string>()));
        AnthropicFixtures.AssertJsonEqual("""{"location": "San Francisco, CA", "unit": "fahrenheit"}""", arguments);
        Assert.All(toolChunks, c => Assert.Equal(0, Delta(c)["tool_calls"]![0]!["index"]!.GetValue<int>()));
        Assert.Equal(FinishReasons.ToolCalls, chunks[^2].Facts.FinishReason);
        Assert.Equal(new TokenUsage(472, 89, 0, 0), chunks[^1].Facts.Usage);
    }

    [Fact]
    public async Task Read_ThinkingTranscriptWithoutUsage_CarriesOnlyTextAndEndsWithoutUsageChunk()
    {
        var (chunks, end) = await ReadAllAsync(AnthropicFixtures.Read("stream-thinking.sse"));

        Assert.Equal(ChunkReadStatus.Done, end.Status);
        Assert.Equal("The greatest common divisor (GCD) of 1071 and 462 is **21**.", Content(chunks));
        Assert.DoesNotContain(chunks, c => c.Raw.Contains("Euclidean", StringComparison.Ordinal));
        Assert.DoesNotContain(chunks, c => c.Facts.IsUsageOnly);
        Assert.Equal(FinishReasons.Stop, chunks[^1].Facts.FinishReason);
    }

    [Fact]
    public async Task Read_ErrorEvent_FailsWithTheClassifiedKindAfterEarlierChunks()
    {
        var (chunks, end) = await ReadAllAsync(AnthropicFixtures.Read("stream-overloaded.sse"));

        Assert.Equal("Hello", Content(chunks));
        Assert.Equal(ChunkReadStatus.Failed, end.Status);
        Assert.Equal(FailureKind.ServerError, end.Failure?.Kind);
        Assert.DoesNotContain("Overloaded", end.Failure!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_EndBeforeMessageStop_IsAStreamCut()
    {
        var transcript = AnthropicFixtures.Read("stream-text.sse");
        var cut = transcript[..transcript.IndexOf("event: message_stop", StringComparison.Ordinal)];

        var (chunks, end) = await ReadAllAsync(cut);

        Assert.Equal("Hello!", Content(chunks));
        Assert.Equal(FailureKind.StreamCut, end.Failure?.Kind);
    }

    [Theory]
    [InlineData("event: message_start\ndata: {not json\n\n")]
    [InlineData("data: [DONE]\n\n")]
    [InlineData("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n")]
    [InlineData("data: {\"index\":0}\n\n")]
    public async Task Read_MalformedOrOutOfOrderEvent_IsAnInvalidResponse(string transcript)
    {
        var (_, end) = await ReadAllAsync(transcript);

        Assert.Equal(FailureKind.InvalidResponse, end.Failure?.Kind);
    }

    [Fact]
    public async Task Read_JsonDeltaForATextBlock_IsAnInvalidResponse()
    {
        var (_, end) = await ReadAllAsync(Start + Event("""{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""")
            + Event("""{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{}"}}"""));

        Assert.Equal(FailureKind.InvalidResponse, end.Failure?.Kind);
    }

    [Fact]
    public async Task Read_OversizedEvent_IsAnInvalidResponse()
    {
        var big = Start + Event("{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"" + new string('x', 4096) + "\"}}");

        var (_, end) = await ReadAllAsync(big, maxEventBytes: 1024);

        Assert.Equal(FailureKind.InvalidResponse, end.Failure?.Kind);
    }

    [Fact]
    public async Task Read_ParallelToolUseBlocks_GetConsecutiveToolCallIndexes()
    {
        var transcript = Start
            + Event("""{"type":"content_block_start","index":0,"content_block":{"type":"text","text":"Checking both."}}""")
            + Event("""{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_a","name":"get_weather","input":{}}}""")
            + Event("""{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"location\":\"Paris\"}"}}""")
            + Event("""{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_b","name":"get_time","input":{}}}""")
            + Event("""{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{}"}}""")
            + Event("""{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"input_tokens":10,"cache_read_input_tokens":90,"output_tokens":20}}""")
            + Event("""{"type":"message_stop"}""");

        var (chunks, end) = await ReadAllAsync(transcript);

        Assert.Equal(ChunkReadStatus.Done, end.Status);
        Assert.Equal("Checking both.", Content(chunks));
        var calls = chunks.Where(c => c.Facts.HasToolCalls).Select(c => Delta(c)["tool_calls"]![0]!).ToList();
        Assert.Equal([0, 0, 1, 1], calls.Select(c => c["index"]!.GetValue<int>()));
        Assert.Equal("get_time", calls[2]["function"]!["name"]!.GetValue<string>());
        Assert.Equal("{\"location\":\"Paris\"}", calls[1]["function"]!["arguments"]!.GetValue<string>());
        Assert.Equal(new TokenUsage(100, 20, 90, 0), chunks[^1].Facts.Usage);
    }

    private const string Start = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude\",\"content\":[],\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}\n\n";

    private static string Event(string json) => "data: " + json + "\n\n";

    private static string Content(List<ReadChunk> chunks) =>
        string.Concat(chunks.Select(c => Delta(c)?["content"]?.GetValue<string>() ?? string.Empty));

    private static JsonNode Delta(ReadChunk chunk) => chunk.Json["choices"]!.AsArray().FirstOrDefault()?["delta"]!;

    private static async Task<(List<ReadChunk> Chunks, (ChunkReadStatus Status, UpstreamFailure? Failure) End)> ReadAllAsync(
        string transcript, int maxEventBytes = AnthropicChunkSource.DefaultMaxEventBytes)
    {
        var body = new TrickleStream(Encoding.UTF8.GetBytes(transcript));
        var response = new HttpResponseMessage { Content = new StreamContent(body) };
        await using var source = new AnthropicChunkSource(response, body, null, Created, maxEventBytes);
        var chunks = new List<ReadChunk>();
        while (true)
        {
            var status = await source.ReadAsync(CancellationToken.None);
            if (status != ChunkReadStatus.Chunk)
            {
                return (chunks, (status, source.Failure));
            }

            var raw = Encoding.UTF8.GetString(source.Chunk.Span);
            chunks.Add(new ReadChunk(raw, JsonNode.Parse(raw)!, source.Facts));
        }
    }

    private sealed record ReadChunk(string Raw, JsonNode Json, ResponseFacts Facts);
}
