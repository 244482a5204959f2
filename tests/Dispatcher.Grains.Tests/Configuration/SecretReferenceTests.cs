using Dispatcher.Grains.Configuration;
using Xunit;

namespace Dispatcher.Grains.Tests.Configuration;

public sealed class SecretReferenceTests
{
    private static readonly Func<string, string?> Environment = name => name switch
    {
        "OPENAI_API_KEY" => "sk-from-env",
        "EMPTY" => string.Empty,
        _ => null,
    };

    [Theory]
    [InlineData("sk-literal", "sk-literal")]
    [InlineData("env:OPENAI_API_KEY", "sk-from-env")]
    [InlineData("ENV:OPENAI_API_KEY", "sk-from-env")]
    [InlineData("Env:OPENAI_API_KEY", "sk-from-env")]
    [InlineData("environment:OPENAI_API_KEY", "environment:OPENAI_API_KEY")]
    [InlineData(" env:OPENAI_API_KEY", " env:OPENAI_API_KEY")]
    public void Resolve_Reference_ReturnsSecret(string reference, string expected)
    {
        Assert.Equal(expected, SecretReference.Resolve(reference, Environment));
    }

    [Theory]
    [InlineData("env:MISSING")]
    [InlineData("env:EMPTY")]
    [InlineData("env:")]
    public void Resolve_UnsetOrEmptyVariable_ReturnsNull(string reference)
    {
        Assert.Null(SecretReference.Resolve(reference, Environment));
    }

    [Fact]
    public void Resolve_EnvReference_AsksForTheVariableNameOnly()
    {
        var asked = new List<string>();

        SecretReference.Resolve("env:MY_KEY", name =>
        {
            asked.Add(name);
            return "v";
        });

        Assert.Equal(["MY_KEY"], asked);
    }

    [Fact]
    public void Resolve_Literal_NeverReadsEnvironment()
    {
        var asked = 0;

        Assert.Equal("sk-x", SecretReference.Resolve("sk-x", _ => (++asked).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(0, asked);
    }
}
