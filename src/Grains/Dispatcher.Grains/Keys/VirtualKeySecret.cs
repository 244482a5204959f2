using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Dispatcher.Grains.Keys;

/// <summary>
/// Secrets and their hashes. A secret is <c>dk-</c> plus 256 random bits (base64url), so a plain SHA-256 is enough
/// to store it (no slow hash needed: nothing to brute-force), and comparisons are constant-time.
/// </summary>
public static class VirtualKeySecret
{
    /// <summary>The prefix of every virtual key secret.</summary>
    public const string Prefix = "dk-";

    /// <summary>A new secret.</summary>
    public static string Create() => Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>A new key id: <c>vk-</c> plus 16 hex digits.</summary>
    public static string CreateId() => "vk-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>SHA-256 of <paramref name="secret"/>'s UTF-8 bytes.</summary>
    public static byte[] Hash(ReadOnlySpan<char> secret)
    {
        Span<byte> utf8 = secret.Length <= 256 ? stackalloc byte[Encoding.UTF8.GetMaxByteCount(secret.Length)] : new byte[Encoding.UTF8.GetMaxByteCount(secret.Length)];
        var length = Encoding.UTF8.GetBytes(secret, utf8);
        var hash = SHA256.HashData(utf8[..length]);
        CryptographicOperations.ZeroMemory(utf8);
        return hash;
    }

    /// <summary>Constant-time equality of two hashes.</summary>
    public static bool Same(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right) => CryptographicOperations.FixedTimeEquals(left, right);
}
