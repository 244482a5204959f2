using Microsoft.Playwright;

namespace Dispatcher.ApiFront.Tests.Dashboard;

/// <summary>
/// Headless Chromium through Playwright's .NET driver (its Node runtime ships inside the Microsoft.Playwright
/// package). Playwright cannot download browsers here, so it drives Debian's chromium, which scripts/test.sh installs.
/// </summary>
internal static class Chromium
{
    private static readonly string[] Candidates = ["/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser"];

    /// <summary>The browser binary: DISPATCHER_CHROMIUM when set, else Debian's.</summary>
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("DISPATCHER_CHROMIUM") is { Length: > 0 } configured ? configured
        : Candidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("No Chromium found (install Debian's 'chromium', as scripts/test.sh does, or set DISPATCHER_CHROMIUM).");

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                // Root in CI containers: Chromium's sandbox needs user namespaces it may not have there.
                ChromiumSandbox = false,
                Args = ["--disable-dev-shm-usage", "--disable-gpu"],
            });
            return (playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }
}
