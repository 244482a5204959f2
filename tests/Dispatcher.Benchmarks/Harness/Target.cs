namespace Dispatcher.Benchmarks.Harness;

/// <summary>One endpoint the load is driven against.</summary>
/// <param name="Name">Short name used in tables and raw files.</param>
/// <param name="Description">What it is, for the report.</param>
/// <param name="Process">The process whose CPU and memory are measured (the proxy; FakeUpstream for direct).</param>
/// <param name="BaseUrl">Root URL; requests go to <c>/v1/chat/completions</c> under it.</param>
/// <param name="Model">The body's <c>model</c>: a route for Dispatcher, the upstream model otherwise.</param>
/// <param name="Headers">Extra request headers (the peer gateway's routing headers).</param>
internal sealed record Target(
    string Name,
    string Description,
    TargetKind Kind,
    ChildProcess Process,
    Uri BaseUrl,
    string Model,
    IReadOnlyDictionary<string, string> Headers)
{
    public Uri ChatUrl => new(BaseUrl, "v1/chat/completions");
}
