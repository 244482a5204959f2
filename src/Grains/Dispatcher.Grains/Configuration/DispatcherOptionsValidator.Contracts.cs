using Dispatcher.Grains.Contracts;

namespace Dispatcher.Grains.Configuration;

// A route's ResponseSchema is compiled at start-up, so that a broken contract stops the node with its key path
// instead of failing the first request that needs it.
public sealed partial class DispatcherOptionsValidator
{
    private static void ValidateResponseSchema(string path, RouteOptions route, List<string> errors)
    {
        try
        {
            route.CompiledResponseSchema();
        }
        catch (SchemaException error)
        {
            errors.Add($"{path}:ResponseSchema is not a usable JSON Schema: {error.Message}");
        }
    }
}
