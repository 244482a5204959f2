namespace Dispatcher.Providers.Gemini;

/// <summary>What a Gemini <c>Part</c> carries.</summary>
internal enum GeminiPartKind
{
    /// <summary><c>{"text": First}</c>.</summary>
    Text,

    /// <summary><c>{"inlineData": {"mimeType": First, "data": Second}}</c>.</summary>
    InlineData,

    /// <summary><c>{"fileData": {"mimeType": Second, "fileUri": First}}</c> (mimeType only when known).</summary>
    FileData,

    /// <summary><c>{"functionCall": {"name": First, "args": Second}}</c>, Second the arguments' JSON text.</summary>
    FunctionCall,

    /// <summary><c>{"functionResponse": {"name": First, "response": …}}</c>, Second the tool's output text.</summary>
    FunctionResponse,
}

/// <summary>One part of a Gemini content, before it is written.</summary>
internal readonly record struct GeminiPart(GeminiPartKind Kind, string First, string? Second = null);

/// <summary>One Gemini content: a role (<c>user</c> or <c>model</c>) and its parts.</summary>
internal sealed class GeminiContent(string role)
{
    public string Role { get; } = role;

    public List<GeminiPart> Parts { get; } = [];
}
