using System.Text.Json.Serialization;

namespace Dispatcher.ApiFront.Contracts;

/// <summary>OpenAI's list shape for GET /v1/models.</summary>
public sealed record ModelList([property: JsonPropertyName("object")] string ObjectType, IReadOnlyList<ModelEntry> Data);
