using Dispatcher.Providers;

namespace Dispatcher.Grains.Contracts;

/// <summary>One choice of a guarded answer.</summary>
internal sealed class ChoiceOutput : IDisposable
{
    private readonly List<ToolCallOutput> _toolCalls = [];

    public bool HasContent { get; set; }

    public PooledBuffer Content { get; } = new(256);

    public IReadOnlyList<ToolCallOutput> ToolCalls => _toolCalls;

    public ToolCallOutput ToolCall(int index)
    {
        while (_toolCalls.Count <= index)
        {
            _toolCalls.Add(new ToolCallOutput());
        }

        return _toolCalls[index];
    }

    public void Dispose()
    {
        Content.Dispose();
        foreach (var call in _toolCalls)
        {
            call.Arguments.Dispose();
        }
    }
}

/// <summary>One tool call of a guarded answer.</summary>
internal sealed class ToolCallOutput
{
    public string? Name { get; set; }

    public PooledBuffer Arguments { get; } = new(256);
}
