using System.Text.Json.Serialization;

namespace Dispatcher.Benchmarks.Reporting;

/// <summary>Source-generated serializer of the raw results (NaN allowed: a cell with no data stays visible).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(RawResults))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
