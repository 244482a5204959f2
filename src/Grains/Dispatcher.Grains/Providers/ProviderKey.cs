using System.Security.Cryptography;
using System.Text;
using Dispatcher.Providers;

namespace Dispatcher.Grains.Providers;

/// <summary>One API key of a provider's pool: its secret (never shown), public id, budget and parking state.</summary>
public sealed class ProviderKey
{
    internal ProviderKey(string id, string secret, IKeyBudget budget)
    {
        Id = id;
        Secret = secret;
        Budget = budget;
    }

    /// <summary><c>key-</c> and the first 8 hex digits of the secret's SHA-256; <c>keyless</c> for servers without keys.</summary>
    public string Id { get; }

    internal string Secret { get; }

    internal IKeyBudget Budget { get; }

    internal DateTimeOffset ParkedUntil { get; set; }

    internal FailureKind ParkedFor { get; set; }

    /// <summary>The public id of <paramref name="secret"/>, as SPEC.md defines it.</summary>
    public static string IdOf(string secret)
    {
        if (secret.Length == 0)
        {
            return "keyless";
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(secret), hash);
        return "key-" + Convert.ToHexStringLower(hash[..4]);
    }
}
