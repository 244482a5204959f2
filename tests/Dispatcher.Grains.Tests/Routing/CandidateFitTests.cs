using System.Buffers;
using System.Text;
using Dispatcher.Grains.Configuration;
using Dispatcher.Grains.Providers;
using Dispatcher.Grains.Routing;
using Dispatcher.Grains.Tests.Providers;
using Dispatcher.Providers;
using Dispatcher.Providers.Chat;
using Dispatcher.TestSupport;
using Xunit;

namespace Dispatcher.Grains.Tests.Routing;

public sealed class CandidateFitTests
{
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public void Check_NoDeclaredCapabilities_NothingChecked()
    {
        using var request = Parse("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[{\"type\":\"function\"}]}");

        Assert.Equal(FailureKind.None, CandidateFit.Check(request, Model(new ModelOptions()), out _));
    }

    [Theory]
    [InlineData("\"tools\":[{\"type\":\"function\"}]", "tools")]
    [InlineData("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{}}", "json_schema")]
    public void Check_DeclaredCapabilitiesLackWhatRequestNeeds_CapabilityMismatch(string field, string capability)
    {
        using var request = Parse("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]," + field + "}");

        var kind = CandidateFit.Check(request, Model(new ModelOptions { Capabilities = ["vision"] }), out var detail);

        Assert.Equal(FailureKind.CapabilityMismatch, kind);
        Assert.Contains(capability, detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ImageWithoutVision_CapabilityMismatch()
    {
        using var request = Parse("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://x/y.png\"}}]}]}");

        Assert.Equal(FailureKind.CapabilityMismatch, CandidateFit.Check(request, Model(new ModelOptions { Capabilities = ["tools"] }), out _));
        Assert.Equal(FailureKind.None, CandidateFit.Check(request, Model(new ModelOptions { Capabilities = ["vision"] }), out _));
    }

    [Fact]
    public void Check_MaxTokensAboveModelMaximum_CapabilityMismatch()
    {
        using var request = Parse("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":5000}");

        Assert.Equal(FailureKind.CapabilityMismatch, CandidateFit.Check(request, Model(new ModelOptions { MaxOutputTokens = 4096 }), out _));
    }

    [Fact]
    public void Check_PromptPlusOutputAboveContextWindow_ContextOverflow()
    {
        using var request = Parse("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('a', 300) + "\"}],\"max_tokens\":100}");

        Assert.Equal(FailureKind.ContextOverflow, CandidateFit.Check(request, Model(new ModelOptions { ContextWindow = 150 }), out _));
        Assert.Equal(FailureKind.None, CandidateFit.Check(request, Model(new ModelOptions { ContextWindow = 1000 }), out _));
    }

    private ModelDeployment Model(ModelOptions options)
    {
        options.Provider = "p";
        var actor = new ProviderActor("p", new UnusedAdapter(), ["sk-a"], null, null, new BreakerOptions(), new TestAuthority(_time), _time);
        return new ModelDeployment("m", options, actor, _time);
    }

    private static ChatRequest Parse(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var pooled = ArrayPool<byte>.Shared.Rent(bytes.Length);
        bytes.CopyTo(pooled, 0);
        return ChatRequestParser.Parse(pooled, bytes.Length, out var error) ?? throw new InvalidOperationException(error!.Message);
    }
}
