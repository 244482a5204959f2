using Dispatcher.Grains.Configuration;
using Dispatcher.Providers.Chat;

namespace Dispatcher.Grains.Routing;

/// <summary>
/// Turns a request's <c>model</c> (a route or a model alias) or <c>models</c> (an explicit chain) into a
/// <see cref="Route"/>. Built once at start-up; lookups are case-insensitive and allocate nothing for named routes.
/// </summary>
public sealed class RouteTable
{
    private static readonly RouteOptions DefaultRouteOptions = new();
    private readonly Dictionary<string, Route> _routes;
    private readonly Dictionary<string, ModelDeployment> _models;

    /// <summary>Creates the table from built deployments and the configured routes.</summary>
    public RouteTable(IReadOnlyDictionary<string, ModelDeployment> models, IReadOnlyDictionary<string, RouteOptions> routes)
    {
        _models = new Dictionary<string, ModelDeployment>(models, StringComparer.OrdinalIgnoreCase);
        _routes = new Dictionary<string, Route>(StringComparer.OrdinalIgnoreCase);
        foreach (var (alias, deployment) in _models)
        {
            _routes[alias] = new Route(alias, [deployment], DefaultRouteOptions);
        }

        foreach (var (name, options) in routes)
        {
            _routes[name] = new Route(name, options.Chain.Select(alias => _models[alias]).ToArray(), options);
        }

        RouteNames = routes.Keys.Order(StringComparer.Ordinal).ToArray();
        ModelAliases = _models.Keys.Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Configured route names, sorted.</summary>
    public IReadOnlyList<string> RouteNames { get; }

    /// <summary>Configured model aliases, sorted.</summary>
    public IReadOnlyList<string> ModelAliases { get; }

    /// <summary>The aliases a route or alias resolves to.</summary>
    public IReadOnlyList<string> ChainOf(string name) =>
        _routes.TryGetValue(name, out var route) ? route.Chain.Select(deployment => deployment.Alias).ToArray() : [];

    /// <summary>Every deployment.</summary>
    public IEnumerable<ModelDeployment> Deployments => _models.Values;

    /// <summary>Resolves the chain for <paramref name="request"/>; null with the unknown name when it names nothing.</summary>
    public Route? Resolve(ChatRequest request, out string? unknownModel)
    {
        unknownModel = null;
        if (request.Models is null)
        {
            if (_routes.TryGetValue(request.Model!, out var route))
            {
                return route;
            }

            unknownModel = request.Model;
            return null;
        }

        var chain = new List<ModelDeployment>(request.Models.Count + 1);
        var options = DefaultRouteOptions;
        if (request.Model is not null)
        {
            if (!_routes.TryGetValue(request.Model, out var primary))
            {
                unknownModel = request.Model;
                return null;
            }

            chain.AddRange(primary.Chain);
            options = primary.Options;
        }

        foreach (var name in request.Models)
        {
            if (!_models.TryGetValue(name, out var deployment))
            {
                unknownModel = name;
                return null;
            }

            if (!chain.Contains(deployment))
            {
                chain.Add(deployment);
            }
        }

        return new Route(chain[0].Alias, chain, options);
    }
}
