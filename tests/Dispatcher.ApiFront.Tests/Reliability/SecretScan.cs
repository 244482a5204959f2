using System.Text;
using Dispatcher.ApiFront.Tests.TestHost;

namespace Dispatcher.ApiFront.Tests.Reliability;

/// <summary>Looks for the fixture's upstream credentials in anything Dispatcher produced.</summary>
public static class SecretScan
{
    /// <summary>Every credential the fixture configures.</summary>
    public static readonly string[] Secrets = DispatcherFixture.AllKeys;

    private static readonly byte[][] SecretBytes = Secrets.Select(static secret => Encoding.UTF8.GetBytes(secret)).ToArray();

    /// <summary>The first secret found in <paramref name="bytes"/>, or null.</summary>
    public static string? Find(ReadOnlySpan<byte> bytes)
    {
        for (var i = 0; i < SecretBytes.Length; i++)
        {
            if (bytes.IndexOf(SecretBytes[i]) >= 0)
            {
                return Secrets[i];
            }
        }

        return null;
    }

    /// <summary>The first secret found in <paramref name="text"/>, or null.</summary>
    public static string? Find(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        foreach (var secret in Secrets)
        {
            if (text.Contains(secret, StringComparison.Ordinal))
            {
                return secret;
            }
        }

        return null;
    }
}
