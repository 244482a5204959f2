using System.Text.Json.Serialization;

namespace Dispatcher.Providers;

[JsonSerializable(typeof(string))]
internal sealed partial class UpstreamModelJsonContext : JsonSerializerContext;
