using System.Text.Json.Serialization;

namespace Dispatcher.ApiFront.Contracts;

/// <summary>One model of GET /v1/models: a route or a model alias.</summary>
public sealed record ModelEntry(
    string Id,
    [property: JsonPropertyName("object")] string ObjectType,
    long Created,
    [property: JsonPropertyName("owned_by")] string OwnedBy,
    [property: JsonPropertyName("dispatcher_kind")] string DispatcherKind,
    [property: JsonPropertyName("chain")] IReadOnlyList<string> Chain);
