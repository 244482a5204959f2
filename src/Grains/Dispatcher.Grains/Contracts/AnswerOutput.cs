using System.Text.Json;
using Dispatcher.Providers;

namespace Dispatcher.Grains.Contracts;

/// <summary>
/// What a guarded answer says, gathered for its contract check: per choice, the content text and each tool call's
/// name and arguments (unescaped UTF-8). Fed either one chat.completion body (<c>message</c>) or every
/// chat.completion.chunk of a stream (<c>delta</c>, appended by choice and tool-call index). Only guarded requests
/// pay for it. Owns pooled buffers: dispose it.
/// </summary>
internal sealed class AnswerOutput : IDisposable
{
    private readonly List<ChoiceOutput> _choices = new(1);

    public IReadOnlyList<ChoiceOutput> Choices => _choices;

    /// <summary>Reads a whole answer.</summary>
    public void AddCompletion(ReadOnlySpan<byte> json) => Scan(json, "message"u8);

    /// <summary>Reads one chunk of a stream.</summary>
    public void AddChunk(ReadOnlySpan<byte> json) => Scan(json, "delta"u8);

    public void Dispose()
    {
        foreach (var choice in _choices)
        {
            choice.Dispose();
        }
    }

    private void Scan(ReadOnlySpan<byte> json, ReadOnlySpan<byte> member)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isChoices = reader.ValueTextEquals("choices"u8);
                reader.Read();
                if (isChoices && reader.TokenType == JsonTokenType.StartArray)
                {
                    ReadChoices(ref reader, member);
                    continue;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // A malformed body is the adapter's invalid_response, decided elsewhere; here it simply adds nothing.
        }
    }

    private void ReadChoices(ref Utf8JsonReader reader, ReadOnlySpan<byte> member)
    {
        var position = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            var choice = Choice(IndexOrDefault(reader, position++));
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isMember = reader.ValueTextEquals(member);
                reader.Read();
                if (isMember && reader.TokenType == JsonTokenType.StartObject)
                {
                    ReadMessage(ref reader, choice);
                    continue;
                }

                reader.Skip();
            }
        }
    }

    private static void ReadMessage(ref Utf8JsonReader reader, ChoiceOutput choice)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isContent = reader.ValueTextEquals("content"u8);
            var isToolCalls = reader.ValueTextEquals("tool_calls"u8);
            reader.Read();
            if (isContent && reader.TokenType == JsonTokenType.String)
            {
                choice.HasContent = true;
                Append(ref reader, choice.Content);
            }
            else if (isToolCalls && reader.TokenType == JsonTokenType.StartArray)
            {
                ReadToolCalls(ref reader, choice);
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private static void ReadToolCalls(ref Utf8JsonReader reader, ChoiceOutput choice)
    {
        var position = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            var call = choice.ToolCall(IndexOrDefault(reader, position++));
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isFunction = reader.ValueTextEquals("function"u8);
                reader.Read();
                if (!isFunction || reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isName = reader.ValueTextEquals("name"u8);
                    var isArguments = reader.ValueTextEquals("arguments"u8);
                    reader.Read();
                    if (isName && reader.TokenType == JsonTokenType.String)
                    {
                        call.Name = (call.Name ?? string.Empty) + reader.GetString();
                    }
                    else if (isArguments && reader.TokenType == JsonTokenType.String)
                    {
                        Append(ref reader, call.Arguments);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }
        }
    }

    /// <summary>The object's <c>index</c> member, read on a copy of the reader (it may follow the fields it numbers).</summary>
    private static int IndexOrDefault(Utf8JsonReader reader, int position)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isIndex = reader.ValueTextEquals("index"u8);
            reader.Read();
            if (isIndex && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var index) && index is >= 0 and < 128)
            {
                return index;
            }

            reader.Skip();
        }

        return position;
    }

    private static void Append(ref Utf8JsonReader reader, PooledBuffer buffer)
    {
        var span = buffer.GetSpan(reader.HasValueSequence ? (int)reader.ValueSequence.Length : reader.ValueSpan.Length);
        buffer.Advance(reader.CopyString(span));
    }

    private ChoiceOutput Choice(int index)
    {
        while (_choices.Count <= index)
        {
            _choices.Add(new ChoiceOutput());
        }

        return _choices[index];
    }
}
