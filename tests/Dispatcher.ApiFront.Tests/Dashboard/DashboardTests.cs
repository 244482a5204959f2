using System.Text.Json;
using Dispatcher.ApiFront.Tests.TestHost;
using Dispatcher.FakeUpstream;
using Microsoft.Playwright;

namespace Dispatcher.ApiFront.Tests.Dashboard;

[Collection(DispatcherCollection.Name)]
public sealed class DashboardTests
{
    private readonly DispatcherFixture _node;

    public DashboardTests(DispatcherFixture node)
    {
        _node = node;
        _node.Reset();
    }

    [Fact]
    public async Task Recent_ListsTheRequestWithItsTrailAndTheFallbackEdge()
    {
        _node.Upstream.Enqueue("primary-model", FakeBehavior.ContextLengthExceeded());
        using var served = await _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("chain")));
        var requestId = ChatBodies.Header(served, "x-dispatcher-request-id");

        using var document = JsonDocument.Parse(await _node.Http.GetStringAsync("/v1/dispatcher/recent?minutes=5"));

        var root = document.RootElement;
        Assert.Equal(5, root.GetProperty("minutes").GetInt32());
        var request = root.GetProperty("requests")[0];
        Assert.Equal(requestId, request.GetProperty("request_id").GetString());
        Assert.Equal("backup", request.GetProperty("served_model").GetString());
        Assert.Equal(["context_overflow", "served"], request.GetProperty("attempts").EnumerateArray().Select(a => a.GetProperty("kind").GetString()));
        var edge = Assert.Single(root.GetProperty("fallback_edges").EnumerateArray());
        Assert.Equal("primary", edge.GetProperty("from").GetString());
        Assert.Equal("backup", edge.GetProperty("to").GetString());
        Assert.Equal("context_overflow", edge.GetProperty("reason").GetString());
        Assert.Equal(1, edge.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Recent_BadWindow_400()
    {
        using var response = await _node.Http.GetAsync("/v1/dispatcher/recent?minutes=0");

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Dashboard_InChromium_ShowsLiveBreakerStatesFallbackEdgesAndRecentRequests()
    {
        // Two server errors on the dash deployment (retry, then fallback) open its breaker: MinimumThroughput is 2.
        _node.Upstream.Enqueue("dash-model", FakeBehavior.Status(500));
        _node.Upstream.Enqueue("dash-model", FakeBehavior.Status(500));
        using var served = await _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("dash-chain")));
        Assert.Equal("dash-flaky=server_error;dash-flaky=server_error", ChatBodies.Header(served, "x-dispatcher-fallback-reasons"));
        var requestId = ChatBodies.Header(served, "x-dispatcher-request-id");

        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        // Script errors fail the test; the console (e.g. the browser's favicon request) only helps diagnose a timeout.
        var scriptErrors = new List<string>();
        var console = new List<string>();
        page.Console += (_, message) => console.Add(message.Text);
        page.PageError += (_, error) => scriptErrors.Add(error);
        var response = await page.GotoAsync(new Uri(_node.BaseUrl, "/dashboard").ToString());
        Assert.Equal(200, response!.Status);

        var request = page.Locator($"tr.request[data-request-id='{requestId}']");
        try
        {
            await request.WaitForAsync(new LocatorWaitForOptions { Timeout = 20_000 });
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"status: {await page.Locator("#status").InnerTextAsync()}; script errors: {string.Join(" | ", scriptErrors)}; console: {string.Join(" | ", console)}");
        }

        Assert.Equal("open", await page.Locator("tr[data-provider='dash'] .provider-state .state").GetAttributeAsync("data-state"));
        Assert.Equal("closed", await page.Locator("tr[data-provider='beta'] .provider-state .state").GetAttributeAsync("data-state"));
        Assert.Contains("backup @ beta", await request.InnerTextAsync(), StringComparison.Ordinal);
        var edge = page.Locator("tr.edge[data-from='dash-flaky'][data-to='backup']");
        Assert.Contains("server_error", await edge.InnerTextAsync(), StringComparison.Ordinal);

        await request.ClickAsync();
        var trail = page.Locator("tr.details .trail li");
        await trail.Nth(2).WaitForAsync();
        Assert.Equal(3, await trail.CountAsync());
        Assert.Contains("server_error", await trail.Nth(0).InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("served", await trail.Nth(2).InnerTextAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("sk-test", await page.ContentAsync(), StringComparison.Ordinal);

        var screenshot = Path.Combine(AppContext.BaseDirectory, "TestResults", "dashboard.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        Assert.True(new FileInfo(screenshot).Length > 0);
        Assert.Empty(scriptErrors);
    }
}
