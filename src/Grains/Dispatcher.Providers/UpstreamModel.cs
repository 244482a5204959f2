using System.Text;
using System.Text.Json;

namespace Dispatcher.Providers;

/// <summary>A model name as sent upstream, encoded once at start-up so no attempt re-encodes it.</summary>
public sealed class UpstreamModel
{
    /// <summary>Creates the model name and its JSON string literal.</summary>
    public UpstreamModel(string name)
    {
        Name = name;
        Json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(name, UpstreamModelJsonContext.Default.String));
    }

    /// <summary>The name, e.g. <c>gpt-4o</c>.</summary>
    public string Name { get; }

    /// <summary>The name as a JSON string literal, quotes included.</summary>
    public ReadOnlyMemory<byte> Json { get; }

    /// <inheritdoc />
    public override string ToString() => Name;
}
