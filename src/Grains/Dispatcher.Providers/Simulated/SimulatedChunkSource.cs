using System.Text.Json;

namespace Dispatcher.Providers.Simulated;

/// <summary>The chunks of a simulated stream: a role chunk, one chunk per word, a finish chunk and a usage chunk.</summary>
internal sealed class SimulatedChunkSource : IChunkSource
{
    private readonly string _model;
    private readonly SimulatedAnswer _answer;
    private readonly string[] _words;
    private readonly PooledBuffer _chunk = new(512);
    private readonly string _id = SimulatedAnswer.NewId();
    private int _next = -1;

    public SimulatedChunkSource(string model, SimulatedAnswer answer)
    {
        _model = model;
        _answer = answer;
        _words = answer.Text.Split(' ');
    }

    public ReadOnlyMemory<byte> Chunk => _chunk.WrittenMemory;

    public ResponseFacts Facts { get; private set; }

    public UpstreamFailure? Failure => null;

    public ValueTask<ChunkReadStatus> ReadAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var index = _next++;
        if (index > _words.Length + 1)
        {
            return ValueTask.FromResult(ChunkReadStatus.Done);
        }

        _chunk.Clear();
        using var json = new Utf8JsonWriter(_chunk);
        json.WriteStartObject();
        SimulatedAnswer.WriteHeader(json, _id, "chat.completion.chunk", _model);
        json.WriteStartArray("choices");
        if (index <= _words.Length)
        {
            json.WriteStartObject();
            json.WriteNumber("index", 0);
            json.WriteStartObject("delta");
            if (index < 0)
            {
                json.WriteString("role", "assistant");
                json.WriteString("content", string.Empty);
            }
            else if (index < _words.Length)
            {
                json.WriteString("content", index == 0 ? _words[0] : " " + _words[index]);
            }

            json.WriteEndObject();
            if (index == _words.Length)
            {
                json.WriteString("finish_reason", FinishReasons.Stop);
            }
            else
            {
                json.WriteNull("finish_reason");
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        var usageOnly = index == _words.Length + 1;
        if (usageOnly)
        {
            SimulatedAnswer.WriteUsage(json, _answer.Usage);
        }

        json.WriteEndObject();
        json.Flush();
        Facts = new ResponseFacts
        {
            HasOutput = index >= 0 && index < _words.Length,
            IsUsageOnly = usageOnly,
            Usage = usageOnly ? _answer.Usage : null,
            FinishReason = index == _words.Length ? FinishReasons.Stop : null,
            Model = index < 0 ? _model : null,
            Id = index < 0 ? _id : null,
        };
        return ValueTask.FromResult(ChunkReadStatus.Chunk);
    }

    public ValueTask DisposeAsync()
    {
        _chunk.Dispose();
        return ValueTask.CompletedTask;
    }
}
