using System.Text.Json.Serialization;

namespace Dispatcher.ApiFront.Contracts;

/// <summary>Source-generated JSON of the dashboard's data endpoint (same conventions as <see cref="ApiJsonContext"/>).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RecentActivity))]
internal sealed partial class DashboardJsonContext : JsonSerializerContext;
