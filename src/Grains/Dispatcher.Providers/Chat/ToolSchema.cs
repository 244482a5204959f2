namespace Dispatcher.Providers.Chat;

/// <summary>A function tool the request declares, with its <c>parameters</c> JSON Schema as raw bytes of the body.</summary>
/// <param name="Name">The function name.</param>
/// <param name="Parameters">The schema's JSON: a slice of the request body.</param>
/// <param name="Strict">The function's <c>strict</c>: the client asked for arguments that match the schema.</param>
public sealed record ToolSchema(string Name, ReadOnlyMemory<byte> Parameters, bool Strict);
