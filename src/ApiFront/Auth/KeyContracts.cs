using System.Text.Json.Serialization;
using Dispatcher.Grains.Keys;

namespace Dispatcher.ApiFront.Auth;

/// <summary>POST /v1/dispatcher/keys: the key to create. Omitted lists allow everything; omitted limits are none.</summary>
public sealed record CreateKeyRequest(string? Name, string[]? Routes, string[]? Models, int? Rpm, decimal? MonthlyBudgetUsd, bool? Strict);

/// <summary>A key as the API shows it; <see cref="Key"/> (the secret) only in the answer to its creation.</summary>
public sealed record KeyView(string Id, [property: JsonPropertyName("object")] string ObjectType, string Name, string? Key, IReadOnlyList<string> Routes, IReadOnlyList<string> Models,
    int? Rpm, decimal? MonthlyBudgetUsd, bool Strict, DateTimeOffset CreatedAt, decimal SpentThisMonthUsd)
{
    /// <summary>The view of <paramref name="state"/>; <paramref name="secret"/> only when just created.</summary>
    public static KeyView Of(VirtualKeyState state, DateTimeOffset now, string? secret = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        var key = state.Key;
        return new KeyView(key.Id, "virtual_key", key.Name, secret, key.Routes, key.Models, key.Rpm, key.MonthlyBudgetUsd, key.Strict, key.CreatedAt,
            state.SpentThisMonth(now));
    }
}

/// <summary>GET /v1/dispatcher/keys.</summary>
public sealed record KeyList([property: JsonPropertyName("object")] string ObjectType, IReadOnlyList<KeyView> Data);

/// <summary>DELETE /v1/dispatcher/keys/{id}.</summary>
public sealed record KeyDeleted(string Id, [property: JsonPropertyName("object")] string ObjectType, bool Deleted);

/// <summary>Source-generated JSON for key management.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CreateKeyRequest))]
[JsonSerializable(typeof(KeyView))]
[JsonSerializable(typeof(KeyList))]
[JsonSerializable(typeof(KeyDeleted))]
internal sealed partial class KeysJsonContext : JsonSerializerContext;
