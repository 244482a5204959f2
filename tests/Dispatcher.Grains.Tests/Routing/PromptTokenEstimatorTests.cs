using System.Buffers;
using System.Text;
using Dispatcher.Grains.Routing;
using Dispatcher.Providers.Chat;
using Xunit;

namespace Dispatcher.Grains.Tests.Routing;

public sealed class PromptTokenEstimatorTests
{
    [Fact]
    public void Estimate_Uncalibrated_ThreeBytesPerTokenPlusFraming()
    {
        using var request = Parse(new string('a', 600));

        Assert.Equal((int)Math.Ceiling(request.MessageTextBytes / 3.0) + PromptTokenEstimator.FramingTokens, new PromptTokenEstimator().Estimate(request));
    }

    [Fact]
    public void Calibrate_ModelAtFourBytesPerToken_EstimatesComeCloserButStayAtOrAboveTheTruth()
    {
        var estimator = new PromptTokenEstimator();
        using var request = Parse(new string('a', 4000));
        var truth = (request.MessageTextBytes / 4) + PromptTokenEstimator.FramingTokens;
        var uncalibrated = estimator.Estimate(request);

        for (var i = 0; i < 20; i++)
        {
            estimator.Calibrate(request, truth + (i % 2 == 0 ? 20 : -20));
        }

        var calibrated = estimator.Estimate(request);
        Assert.InRange(calibrated, truth, uncalibrated - 1);
        Assert.Equal(20, estimator.Samples);
    }

    [Fact]
    public void Calibrate_FewerThanFiveSamples_NotUsedYet()
    {
        var estimator = new PromptTokenEstimator();
        using var request = Parse(new string('a', 4000));

        for (var i = 0; i < 4; i++)
        {
            estimator.Calibrate(request, 1000);
        }

        Assert.Equal(PromptTokenEstimator.InitialBytesPerToken, estimator.BytesPerToken);
    }

    [Theory]
    [InlineData(",\"tools\":[{\"type\":\"function\"}]")]
    [InlineData("")]
    public void Calibrate_ToolsOrTinyPrompts_Ignored(string extra)
    {
        var estimator = new PromptTokenEstimator();
        using var request = Parse(extra.Length == 0 ? "short" : new string('a', 4000), extra);

        for (var i = 0; i < 10; i++)
        {
            estimator.Calibrate(request, 5000);
        }

        Assert.Equal(0, estimator.Samples);
    }

    private static ChatRequest Parse(string content, string extra = "")
    {
        var bytes = Encoding.UTF8.GetBytes("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]" + extra + "}");
        var pooled = ArrayPool<byte>.Shared.Rent(bytes.Length);
        bytes.CopyTo(pooled, 0);
        return ChatRequestParser.Parse(pooled, bytes.Length, out var error) ?? throw new InvalidOperationException(error!.Message);
    }
}
