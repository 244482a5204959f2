using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;

namespace Dispatcher.Grains.Tests.Gemini;

/// <summary>
/// Recorded Gemini payloads, shaped after the examples of Google's Gemini API reference. Read from the test output
/// (Gemini/Fixtures) when the project copies them there, else from the source tree beside this file.
/// </summary>
internal static class GeminiFixtures
{
    public static byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));

    public static string Text(string name) => File.ReadAllText(PathOf(name));

    public static JsonNode Json(string name) => JsonNode.Parse(Text(name))!;

    private static string PathOf(string name, [CallerFilePath] string source = "")
    {
        var copied = Path.Combine(AppContext.BaseDirectory, "Gemini", "Fixtures", name);
        return File.Exists(copied) ? copied : Path.Combine(Path.GetDirectoryName(source)!, "Fixtures", name);
    }
}
