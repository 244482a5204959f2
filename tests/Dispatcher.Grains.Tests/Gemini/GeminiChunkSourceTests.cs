using System.Text;
using System.Text.Json.Nodes;
using Dispatcher.Grains.Tests.Sse;
using Dispatcher.Providers;
using Dispatcher.Providers.Gemini;
using Xunit;

namespace Dispatcher.Grains.Tests.Gemini;

public sealed class GeminiChunkSourceTests
{
    private const long Created = 1_767_225_600;

    [Fact]
    public async Task ReadAsync_TextStream_TranslatesToOpenAiChunksThenUsageThenDone()
    {
        var (chunks, status, _) = await ReadAllAsync(GeminiFixtures.Bytes("stream-text.sse"));

        Assert.Equal(ChunkReadStatus.Done, status);
        Assert.Equal(5, chunks.Count);
        Assert.All(chunks, c =>
        {
            Assert.Equal("chatcmpl-sPLkaKmBMO2Rz7IP9bq4-Ao", (string?)c.Json["id"]);
            Assert.Equal("chat.completion.chunk", (string?)c.Json["object"]);
            Assert.Equal(Created, (long?)c.Json["created"]);
            Assert.Equal("gemini-2.0-flash", (string?)c.Json["model"]);
            Assert.Equal("gemini-2.0-flash", c.Facts.Model);
            Assert.Equal("chatcmpl-sPLkaKmBMO2Rz7IP9bq4-Ao", c.Facts.Id);
        });

        var first = chunks[0].Json["choices"]![0]!["delta"]!;
        Assert.Equal("assistant", (string?)first["role"]);
        Assert.Equal("The", (string?)first["content"]);
        Assert.Null(chunks[1].Json["choices"]![0]!["delta"]!["role"]);
        Assert.Equal(
            "The sky looks blue because air molecules scatter short blue wavelengths of sunlight more than red ones.",
            string.Concat(chunks.Take(3).Select(c => (string?)c.Json["choices"]![0]!["delta"]!["content"])));
        Assert.All(chunks.Take(3), c => Assert.True(c.Facts.HasOutput));

        var finish = chunks[3];
        Assert.Equal("stop", (string?)finish.Json["choices"]![0]!["finish_reason"]);
        Assert.Equal(FinishReasons.Stop, finish.Facts.FinishReason);
        Assert.False(finish.Facts.HasOutput);

        var usage = chunks[4];
        Assert.True(usage.Facts.IsUsageOnly);
        Assert.Empty(usage.Json["choices"]!.AsArray());
        Assert.Equal(new TokenUsage(6, 22, 0, 0), usage.Facts.Usage);
        Assert.Equal(28, (int?)usage.Json["usage"]!["total_tokens"]);
    }

    [Fact]
    public async Task ReadAsync_ThinkingStream_SkipsThoughtsAndCountsThemAsReasoning()
    {
        var (chunks, status, _) = await ReadAllAsync(GeminiFixtures.Bytes("stream-thinking.sse"));

        Assert.Equal(ChunkReadStatus.Done, status);
        var text = string.Concat(chunks.Select(c => (string?)c.Json["choices"]!.AsArray().FirstOrDefault()?["delta"]?["content"]));
        Assert.Equal("Autumn moonlight—\na worm digs silently\ninto the chestnut.", text);
        Assert.Equal("assistant", (string?)chunks[0].Json["choices"]![0]!["delta"]!["role"]);
        Assert.Equal(new TokenUsage(9, 157, 0, 140), chunks[^1].Facts.Usage);
    }

    [Fact]
    public async Task ReadAsync_FunctionCallStream_IsAToolCallDeltaAndToolCallsFinish()
    {
        var (chunks, status, _) = await ReadAllAsync(GeminiFixtures.Bytes("stream-function-call.sse"));

        Assert.Equal(ChunkReadStatus.Done, status);
        var delta = chunks[0].Json["choices"]![0]!["delta"]!;
        Assert.Equal("assistant", (string?)delta["role"]);
        Assert.Null(delta["content"]);
        var call = delta["tool_calls"]![0]!;
        Assert.Equal(0, (int?)call["index"]);
        Assert.Matches("^call_[0-9a-f]{24}$", (string?)call["id"]);
        Assert.Equal("get_current_weather", (string?)call["function"]!["name"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"location":"Boston, MA","unit":"celsius"}"""), JsonNode.Parse((string)call["function"]!["arguments"]!)));
        Assert.True(chunks[0].Facts.HasOutput);
        Assert.True(chunks[0].Facts.HasToolCalls);
        Assert.Equal("tool_calls", (string?)chunks[1].Json["choices"]![0]!["finish_reason"]);
        Assert.True(chunks[2].Facts.IsUsageOnly);
        Assert.Equal(new TokenUsage(58, 12, 0, 0), chunks[2].Facts.Usage);
    }

    [Fact]
    public async Task ReadAsync_SafetyStopBeforeAnyOutput_FailsAsContentFiltered()
    {
        var (chunks, status, failure) = await ReadAllAsync(GeminiFixtures.Bytes("stream-safety-first.sse"));

        Assert.Empty(chunks);
        Assert.Equal(ChunkReadStatus.Failed, status);
        Assert.Equal(FailureKind.ContentFiltered, failure!.Kind);
    }

    [Fact]
    public async Task ReadAsync_SafetyStopAfterOutput_EndsWithContentFilterFinish()
    {
        var (chunks, status, _) = await ReadAllAsync(GeminiFixtures.Bytes("stream-safety-midway.sse"));

        Assert.Equal(ChunkReadStatus.Done, status);
        Assert.Equal(" continues", (string?)chunks[1].Json["choices"]![0]!["delta"]!["content"]);
        Assert.Equal("content_filter", (string?)chunks[2].Json["choices"]![0]!["finish_reason"]);
        Assert.Equal(FinishReasons.ContentFilter, chunks[2].Facts.FinishReason);
        Assert.True(chunks[3].Facts.IsUsageOnly);
    }

    [Fact]
    public async Task ReadAsync_PromptBlocked_FailsAsContentFiltered()
    {
        var (chunks, status, failure) = await ReadAllAsync(GeminiFixtures.Bytes("stream-prompt-blocked.sse"));

        Assert.Empty(chunks);
        Assert.Equal(ChunkReadStatus.Failed, status);
        Assert.Equal(FailureKind.ContentFiltered, failure!.Kind);
    }

    [Fact]
    public async Task ReadAsync_EndBeforeFinishReason_IsStreamCut()
    {
        var (chunks, status, failure) = await ReadAllAsync(GeminiFixtures.Bytes("stream-cut.sse"));

        Assert.Equal(2, chunks.Count);
        Assert.Equal(ChunkReadStatus.Failed, status);
        Assert.Equal(FailureKind.StreamCut, failure!.Kind);
    }

    [Fact]
    public async Task ReadAsync_ErrorEvent_FailsWithItsClassifiedKind()
    {
        var (chunks, status, failure) = await ReadAllAsync(GeminiFixtures.Bytes("stream-error.sse"));

        Assert.Single(chunks);
        Assert.Equal(ChunkReadStatus.Failed, status);
        Assert.Equal(FailureKind.ServerError, failure!.Kind);
        Assert.DoesNotContain("overloaded", failure.Detail, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("data: {not json\r\n\r\n")]
    [InlineData("data: {\"candidates\": \"nope\"}\r\n\r\n")]
    [InlineData("data: [1, 2]\r\n\r\n")]
    [InlineData("data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"x\"}]}, \"index\": 100000}]}\r\n\r\n")]
    public async Task ReadAsync_MalformedEvent_IsInvalidResponse(string transcript)
    {
        var (_, status, failure) = await ReadAllAsync(Encoding.UTF8.GetBytes(transcript));

        Assert.Equal(ChunkReadStatus.Failed, status);
        Assert.Equal(FailureKind.InvalidResponse, failure!.Kind);
    }

    [Fact]
    public async Task ReadAsync_NoUsageMetadata_EndsWithoutUsageChunk()
    {
        var transcript = "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Hi\"}], \"role\": \"model\"}, \"finishReason\": \"STOP\"}]}\n\n";

        var (chunks, status, _) = await ReadAllAsync(Encoding.UTF8.GetBytes(transcript));

        Assert.Equal(ChunkReadStatus.Done, status);
        Assert.Equal(2, chunks.Count);
        Assert.All(chunks, c => Assert.False(c.Facts.IsUsageOnly));
        Assert.Equal("gemini-requested", (string?)chunks[0].Json["model"]);
        Assert.Matches("^chatcmpl-[0-9a-f]{32}$", (string?)chunks[0].Json["id"]);
        Assert.Equal(chunks[0].Json["id"]!.ToString(), chunks[1].Json["id"]!.ToString());
    }

    [Fact]
    public async Task ReadAsync_TwoCandidates_EachChoiceGetsItsRoleAndFinish()
    {
        var transcript =
            "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"A\"}], \"role\": \"model\"}, \"index\": 0}, {\"content\": {\"parts\": [{\"text\": \"B\"}], \"role\": \"model\"}, \"index\": 1}]}\r\n\r\n"
            + "data: {\"candidates\": [{\"finishReason\": \"STOP\", \"index\": 0}, {\"content\": {\"parts\": [{\"text\": \"b\"}], \"role\": \"model\"}, \"finishReason\": \"MAX_TOKENS\", \"index\": 1}], \"usageMetadata\": {\"promptTokenCount\": 3, \"candidatesTokenCount\": 4, \"totalTokenCount\": 7}}\r\n\r\n";

        var (chunks, status, _) = await ReadAllAsync(Encoding.UTF8.GetBytes(transcript));

        Assert.Equal(ChunkReadStatus.Done, status);
        var first = chunks[0].Json["choices"]!.AsArray();
        Assert.Equal(["assistant", "assistant"], first.Select(c => (string?)c!["delta"]!["role"]));
        Assert.Equal("b", (string?)chunks[1].Json["choices"]![0]!["delta"]!["content"]);
        Assert.Equal(1, (int?)chunks[1].Json["choices"]![0]!["index"]);
        var finishes = chunks[2].Json["choices"]!.AsArray();
        Assert.Equal(["stop", "length"], finishes.Select(c => (string?)c!["finish_reason"]));
        Assert.True(chunks[3].Facts.IsUsageOnly);
    }

    [Fact]
    public async Task ReadAsync_AfterDone_StaysDone()
    {
        await using var source = new GeminiChunkSource(new TrickleStream(GeminiFixtures.Bytes("stream-function-call.sse")), "gemini-requested", Created);
        while (await source.ReadAsync(CancellationToken.None) == ChunkReadStatus.Chunk)
        {
        }

        Assert.Equal(ChunkReadStatus.Done, await source.ReadAsync(CancellationToken.None));
    }

    private static async Task<(List<(JsonNode Json, ResponseFacts Facts)> Chunks, ChunkReadStatus End, UpstreamFailure? Failure)> ReadAllAsync(byte[] transcript)
    {
        // The trickle splits every line and field across reads, as a slow upstream's chunked body does.
        await using var source = new GeminiChunkSource(new TrickleStream(transcript), "gemini-requested", Created);
        var chunks = new List<(JsonNode, ResponseFacts)>();
        while (true)
        {
            var status = await source.ReadAsync(CancellationToken.None);
            if (status != ChunkReadStatus.Chunk)
            {
                return (chunks, status, source.Failure);
            }

            chunks.Add((JsonNode.Parse(Encoding.UTF8.GetString(source.Chunk.Span))!, source.Facts));
        }
    }
}
