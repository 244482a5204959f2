using System.Text;
using Xunit;

namespace Dispatcher.Grains.Tests.Chat;

/// <summary>Text the upstream could not read is refused at the door, not passed through to fail there.</summary>
public sealed class ChatRequestParserEncodingTests
{
    [Theory]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0xC3, 0x28 })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    [InlineData(new byte[] { 0xC0, 0xAF })]
    public void Parse_InvalidUtf8InSkippedString_Refused(byte[] bad)
    {
        var body = Encoding.UTF8.GetBytes("{\"model\":\"a\",\"messages\":[{\"role\":\"user\",\"content\":\"hi")
            .Concat(bad).Concat(Encoding.UTF8.GetBytes("\"}]}")).ToArray();

        using var request = ChatRequests.TryParse(body, out var error);

        Assert.Null(request);
        Assert.Contains("UTF-8", error!.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""\ud800""")]
    [InlineData("""\udc00""")]
    [InlineData("""\ud800\u0041""")]
    [InlineData("""x\ud83d""")]
    public void Parse_UnpairedSurrogateEscape_Refused(string escaped)
    {
        var error = ChatRequests.Refuse("{\"model\":\"a\",\"messages\":[{\"role\":\"user\",\"content\":\"" + escaped + "\"}]}");

        Assert.Contains("surrogate", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""\ud83d\ude00""")]
    [InlineData("""\\ud800""")]
    [InlineData("""\u00e9\u0041""")]
    [InlineData("""caf\u00e9 \uD83D\uDE00 ok""")]
    public void Parse_PairedOrEscapedBackslash_Accepted(string escaped)
    {
        using var request = ChatRequests.Parse("{\"model\":\"a\",\"messages\":[{\"role\":\"user\",\"content\":\"" + escaped + "\"}]}");

        Assert.Equal("a", request.Model);
    }
}
