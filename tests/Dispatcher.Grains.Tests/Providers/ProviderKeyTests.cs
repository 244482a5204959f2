using Dispatcher.Grains.Providers;
using Xunit;

namespace Dispatcher.Grains.Tests.Providers;

public sealed class ProviderKeyTests
{
    [Theory]
    [InlineData("sk-test", "key-f3abf2a6")] // printf 'sk-test' | sha256sum → f3abf2a6cc4f…
    [InlineData("sk-a", "key-a4a6d307")]
    [InlineData("sk-b", "key-18519d64")]
    public void IdOf_Secret_IsKeyAndFirst8HexOfSha256(string secret, string expected)
    {
        Assert.Equal(expected, ProviderKey.IdOf(secret));
    }

    [Fact]
    public void IdOf_EmptySecret_IsKeyless()
    {
        Assert.Equal("keyless", ProviderKey.IdOf(string.Empty));
    }

    [Fact]
    public void IdOf_NeverContainsTheSecret()
    {
        const string secret = "sk-proj-abcdefgh12345678";

        var id = ProviderKey.IdOf(secret);

        Assert.Matches("^key-[0-9a-f]{8}$", id);
        Assert.DoesNotContain("abcdefgh", id, StringComparison.Ordinal);
    }
}
