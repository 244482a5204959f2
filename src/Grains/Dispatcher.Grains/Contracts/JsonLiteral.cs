using System.Text.Json;

namespace Dispatcher.Grains.Contracts;

/// <summary>A scalar value of an <c>enum</c> or <c>const</c>, compared against the instance's token in place.</summary>
internal readonly record struct JsonLiteral(JsonValueKind Kind, string? Text, double Number)
{
    /// <summary>True when the reader's current token is this value (strings compared after unescaping).</summary>
    public bool Matches(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => Kind == JsonValueKind.String && reader.ValueTextEquals(Text),
        JsonTokenType.Number => Kind == JsonValueKind.Number && reader.TryGetDouble(out var value) && value == Number,
        JsonTokenType.True => Kind == JsonValueKind.True,
        JsonTokenType.False => Kind == JsonValueKind.False,
        JsonTokenType.Null => Kind == JsonValueKind.Null,
        _ => false,
    };

    public override string ToString() => Kind switch
    {
        JsonValueKind.String => "\"" + JsonEncodedText.Encode(Text ?? string.Empty).ToString() + "\"",
        JsonValueKind.Number => Number.ToString(System.Globalization.CultureInfo.InvariantCulture),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => "null",
    };
}
