using Dispatcher.Providers.Chat;

namespace Dispatcher.Grains.Routing;

/// <summary>
/// Estimates a request's prompt tokens for one model without a tokenizer (none restores here), and calibrates itself
/// against the prompt tokens the model's upstream reports. It starts conservative, at 3 UTF-8 bytes of message text
/// per token (English runs near 4, code near 3, CJK near 2–3), and learns the model's bytes per token as a moving
/// mean with its mean absolute deviation; estimates then use the mean minus two deviations, so they stay on the
/// high side of the truth for most requests. Requests with images or tools are not learned from: their tokens are
/// not in the message text.
/// </summary>
public sealed class PromptTokenEstimator
{
    /// <summary>Bytes per token before any calibration.</summary>
    public const double InitialBytesPerToken = 3.0;

    /// <summary>Tokens a chat format adds around the text (roles, separators).</summary>
    public const int FramingTokens = 8;

    private const double Smoothing = 0.1;
    private const int MinimumSampleBytes = 200;
    private const int SamplesBeforeUse = 5;

    private readonly Lock _gate = new();
    private double _meanBytesPerToken = InitialBytesPerToken;
    private double _meanDeviation;
    private int _samples;

    /// <summary>The bytes per token estimates use now.</summary>
    public double BytesPerToken
    {
        get
        {
            lock (_gate)
            {
                return _samples < SamplesBeforeUse ? InitialBytesPerToken : Math.Clamp(_meanBytesPerToken - (2 * _meanDeviation), 1.0, 8.0);
            }
        }
    }

    /// <summary>How many answers have calibrated it.</summary>
    public int Samples
    {
        get
        {
            lock (_gate)
            {
                return _samples;
            }
        }
    }

    /// <summary>The estimated prompt tokens of <paramref name="request"/>.</summary>
    public int Estimate(ChatRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return (int)Math.Ceiling(request.MessageTextBytes / BytesPerToken) + FramingTokens;
    }

    /// <summary>Learns from the prompt tokens the upstream reported for <paramref name="request"/>.</summary>
    public void Calibrate(ChatRequest request, int reportedPromptTokens)
    {
        ArgumentNullException.ThrowIfNull(request);
        var textTokens = reportedPromptTokens - FramingTokens;
        if (request.HasImages || request.HasTools || request.MessageTextBytes < MinimumSampleBytes || textTokens <= 0)
        {
            return;
        }

        var observed = (double)request.MessageTextBytes / textTokens;
        lock (_gate)
        {
            if (_samples == 0)
            {
                _meanBytesPerToken = observed;
            }
            else
            {
                var delta = observed - _meanBytesPerToken;
                _meanBytesPerToken += Smoothing * delta;
                _meanDeviation += Smoothing * (Math.Abs(delta) - _meanDeviation);
            }

            _samples++;
        }
    }
}
