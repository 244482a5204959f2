using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Dispatcher.Grains.Tests.Chat;
using Dispatcher.Providers;
using Dispatcher.Providers.Chat;
using Xunit;

namespace Dispatcher.Grains.Tests.Anthropic;

/// <summary>
/// Recorded Anthropic payloads (from Anthropic's API documentation) under Fixtures/: read from the test output when the
/// project copies them there, else from the source folder beside this file.
/// </summary>
internal static class AnthropicFixtures
{
    public const string Model = "claude-opus-4-6";

    public static string Read(string name, [CallerFilePath] string sourceFile = "")
    {
        var copied = Path.Combine(AppContext.BaseDirectory, "Anthropic", "Fixtures", name);
        var path = File.Exists(copied) ? copied : Path.Combine(Path.GetDirectoryName(sourceFile)!, "Fixtures", name);
        return File.ReadAllText(path);
    }

    public static byte[] ReadBytes(string name, [CallerFilePath] string sourceFile = "") =>
        System.Text.Encoding.UTF8.GetBytes(Read(name, sourceFile));

    public static UpstreamCall Call(string openAiBody, string apiKey = "sk-ant-test") =>
        new(ChatRequests.Parse(openAiBody), new UpstreamModel(Model), apiKey);

    public static void AssertJsonEqual(string expected, string actual)
    {
        var want = JsonNode.Parse(expected);
        var got = JsonNode.Parse(actual);
        Assert.True(JsonNode.DeepEquals(want, got), $"expected:\n{want?.ToJsonString()}\nactual:\n{got?.ToJsonString()}");
    }
}
