using System.Text.Json.Serialization;
using Dispatcher.Grains.Ledger;

namespace Dispatcher.ApiFront.Contracts;

/// <summary>Source-generated JSON for everything the front serializes (no reflection at run time).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(ProviderList))]
[JsonSerializable(typeof(RequestTrail))]
[JsonSerializable(typeof(HealthStatus))]
[JsonSerializable(typeof(ChaosDocument))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
