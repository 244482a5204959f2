using System.Text;
using System.Text.Json;
using Dispatcher.Grains.Tests.Chat;
using Dispatcher.Providers;
using Dispatcher.Providers.OpenAi;
using Xunit;

namespace Dispatcher.Grains.Tests.OpenAi;

public sealed class OpenAiRequestBodyTests
{
    private const string Messages = "\"messages\":[{\"role\":\"user\",\"content\":\"héllo \\\"there\\\" 😀 \\u00e9\"}]";

    [Fact]
    public void Write_Model_ReplacedByUpstreamName()
    {
        var input = "{\"model\":\"fast\"," + Messages + ",\"temperature\":0.25,\"metadata\":{\"a\":[1,{\"b\":null}]}}";

        var output = Splice(input, "gpt-4o-2024-08-06");

        Assert.Equal("{\"model\":\"gpt-4o-2024-08-06\"," + Messages + ",\"temperature\":0.25,\"metadata\":{\"a\":[1,{\"b\":null}]}}", output);
        AssertSpliced(input, output, "gpt-4o-2024-08-06");
    }

    [Fact]
    public void Write_UpstreamNameNeedsEscaping_WritesJsonString()
    {
        var input = "{" + Messages + ",\"model\" : \"fast\"}";

        var output = Splice(input, "org/model \"v2\"\\beta");

        AssertSpliced(input, output, "org/model \"v2\"\\beta");
    }

    [Theory]
    [InlineData("{\"models\":[\"a\",\"b\"],\"model\":\"a\"," + Messages + ",\"temperature\":0.25}")]
    [InlineData("{\"model\":\"a\",\"models\":[\"a\",\"b\"]," + Messages + ",\"temperature\":0.25}")]
    [InlineData("{\"model\":\"a\"," + Messages + ",\"temperature\":0.25,\"models\":[\"a\",\"b\"]}")]
    [InlineData("{\n  \"model\": \"a\",\n  \"models\" :\r\n [ \"a\" ,\t\"b\" ]\n  ,\n  " + Messages + "\n}\n")]
    [InlineData("{ \"model\":\"a\", " + Messages + " ,\r\n\t\"models\":[\"a\"]\r\n}")]
    [InlineData("{\r\n\"models\": [\"a\"]   ,   \"model\":\"a\", " + Messages + "}")]
    public void Write_Models_RemovedWherever(string input)
    {
        var output = Splice(input, "up");

        AssertSpliced(input, output, "up");
        Assert.DoesNotContain("models", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"models\":[\"a\",\"b\"]," + Messages + ",\"temperature\":0.25}")]
    [InlineData("{" + Messages + ",\"models\":[\"a\"],\"temperature\":0.25}")]
    [InlineData("{\n  " + Messages + ",\n  \"models\": [\"a\"]\n}")]
    [InlineData("{ \"temperature\":0.25, " + Messages + ", \"models\":[\"a\"] }")]
    public void Write_OnlyModels_InsertsModel(string input)
    {
        var output = Splice(input, "up");

        AssertSpliced(input, output, "up");
        Assert.DoesNotContain("models", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_OnlyModelsFirst_ModelTakesItsPlace()
    {
        var output = Splice("{\"models\":[\"a\",\"b\"]," + Messages + "}", "up");

        Assert.Equal("{\"model\":\"up\"," + Messages + "}", output);
    }

    [Fact]
    public void Write_StreamWithoutStreamOptions_AddsIncludeUsage()
    {
        var input = "{\"model\":\"a\"," + Messages + ",\"stream\":true}";

        var output = Splice(input, "up");

        Assert.Equal("{\"model\":\"up\"," + Messages + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}", output);
        AssertSpliced(input, output, "up", expectUsage: true);
    }

    [Theory]
    [InlineData("{}", "{\"include_usage\":true}")]
    [InlineData("{ \n }", "{\"include_usage\":true \n }")]
    [InlineData("{\"continuous_usage_stats\":false}", "{\"include_usage\":true,\"continuous_usage_stats\":false}")]
    [InlineData("{ \"x\": {\"y\": [1, 2]} }", "{\"include_usage\":true, \"x\": {\"y\": [1, 2]} }")]
    [InlineData("{\"include_usage\":false}", "{\"include_usage\":true}")]
    [InlineData("{\"x\":1, \"include_usage\" : false }", "{\"x\":1, \"include_usage\" : true }")]
    public void Write_StreamWithStreamOptions_ForcesIncludeUsage(string streamOptions, string expected)
    {
        var input = "{\"model\":\"a\",\"stream\":true,\"stream_options\":" + streamOptions + "," + Messages + "}";

        var output = Splice(input, "up");

        Assert.Equal("{\"model\":\"up\",\"stream\":true,\"stream_options\":" + expected + "," + Messages + "}", output);
        AssertSpliced(input, output, "up", expectUsage: true);
    }

    [Theory]
    [InlineData("{\"include_usage\":true}")]
    [InlineData("{ \"include_usage\" : true, \"x\": 1 }")]
    public void Write_ClientAskedForUsage_StreamOptionsUntouched(string streamOptions)
    {
        var input = "{\"model\":\"a\",\"stream\":true,\"stream_options\":" + streamOptions + "," + Messages + "}";

        var output = Splice(input, "up");

        Assert.Equal("{\"model\":\"up\",\"stream\":true,\"stream_options\":" + streamOptions + "," + Messages + "}", output);
    }

    [Theory]
    [InlineData(",\"stream\":false")]
    [InlineData(",\"stream\":null")]
    [InlineData("")]
    [InlineData(",\"stream_options\":{\"include_usage\":false}")]
    [InlineData(",\"stream\":false,\"stream_options\":{}")]
    public void Write_NotStreaming_StreamOptionsUntouched(string members)
    {
        var input = "{\"model\":\"a\"," + Messages + members + "}";

        var output = Splice(input, "up");

        Assert.Equal("{\"model\":\"up\"," + Messages + members + "}", output);
    }

    [Fact]
    public void Write_EverySpliceAtOnce_OthersByteIdentical()
    {
        var input = "{\n \"models\" : [\"a\", \"b\"],\n \"temperature\": 0.25,\n " + Messages
            + ",\n \"stream\": true,\n \"stream_options\": {\"include_usage\": false},\n \"user\": \"ü\\u00fc\"\n}";

        var output = Splice(input, "up");

        AssertSpliced(input, output, "up", expectUsage: true);
        Assert.Contains("\"temperature\": 0.25", output, StringComparison.Ordinal);
        Assert.Contains("\"user\": \"ü\\u00fc\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_StreamOptionsNull_ReplacedNotDuplicated()
    {
        var input = "{\"model\":\"a\"," + Messages + ",\"stream\":true,\"stream_options\":null}";

        var output = Splice(input, "up");

        AssertSpliced(input, output, "up", expectUsage: true);
    }

    private static string Splice(string json, string upstreamName)
    {
        using var request = ChatRequests.Parse(json);
        using var output = new PooledBuffer(16);
        OpenAiRequestBody.Write(request, new UpstreamModel(upstreamName).Json.Span, output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    /// <summary>
    /// The output is one JSON object without duplicate members, whose model is the upstream name, without models,
    /// with include_usage true when expected, and every other member's raw text identical to the input's.
    /// </summary>
    private static void AssertSpliced(string input, string output, string upstreamName, bool expectUsage = false)
    {
        using var before = JsonDocument.Parse(input);
        using var after = JsonDocument.Parse(output);
        var names = after.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(names.Distinct(StringComparer.Ordinal).Count(), names.Count);
        Assert.Equal(upstreamName, after.RootElement.GetProperty("model").GetString());
        Assert.False(after.RootElement.TryGetProperty("models", out _));
        if (expectUsage)
        {
            Assert.True(after.RootElement.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        }

        string[] spliced = ["model", "models", "stream_options"];
        var kept = before.RootElement.EnumerateObject().Where(p => !spliced.Contains(p.Name)).ToList();
        Assert.Equal(kept.Select(p => p.Name), names.Where(n => !spliced.Contains(n)));
        foreach (var member in kept)
        {
            Assert.Equal(member.Value.GetRawText(), after.RootElement.GetProperty(member.Name).GetRawText());
        }

        if (!expectUsage && before.RootElement.TryGetProperty("stream_options", out var options))
        {
            Assert.Equal(options.GetRawText(), after.RootElement.GetProperty("stream_options").GetRawText());
        }
    }
}
