using System.Globalization;
using System.Text;

namespace Dispatcher.ApiFront.Tests.Reliability;

/// <summary>
/// Generates malformed and hostile chat completion requests from a seed: the same seed gives the same corpus, so a
/// failure found once can be replayed. Bodies stay small except a few near and over the body limit.
/// </summary>
public static class HostileCorpus
{
    private static readonly string[] Families =
    [
        "invalid_json", "wrong_type", "deep_nesting", "huge_value", "invalid_utf8", "content_type", "duplicate_key",
        "absurd_number", "bad_header", "odd_document", "odd_model", "slow_body", "truncated_body", "raw_header", "valid_mutant",
    ];

    private static readonly string[] Fields =
        ["model", "messages", "stream", "max_tokens", "max_completion_tokens", "n", "temperature", "stream_options", "tools",
         "models", "response_format", "tool_choice", "user", "metadata", "stop", "seed", "logit_bias"];

    private static readonly string[] WrongValues =
        ["null", "true", "false", "0", "-1", "1.5", "\"\"", "\"x\"", "[]", "{}", "[1,2]", "{\"a\":1}", "[null]", "[{}]",
         "[[]]", "\"\\u0000\"", "1e309", "-0", "[\"chain\",1]", "{\"include_usage\":\"yes\"}", "{\"type\":7}"];

    private static readonly string[] ContentTypes =
        ["text/plain", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "application/xml",
         "application/jsonx", "application/json; charset=utf-16", "application/json; charset=latin1", "*/*",
         "application/problem+json", "APPLICATION/JSON", "application/json;;;", "image/png", "application/octet-stream"];

    private static readonly string[] AbsurdNumbers =
        ["9223372036854775807", "9223372036854775808", "-9223372036854775809", "1e308", "1e400", "-1e400", "0", "-1",
         "2147483648", "4294967296", "1.0000000000000002", "0.5", "1E2", "00", "1_000", "NaN", "Infinity", "0x10", "+1"];

    private static readonly string[] Roles = ["user", "system", "assistant", "tool", "developer", "admin", "", "USER"];

    /// <summary>The default corpus seed.</summary>
    public const int DefaultSeed = 20261122;

    /// <summary>Generates <paramref name="count"/> cases from <paramref name="seed"/>.</summary>
    public static IReadOnlyList<HostileCase> Generate(int seed, int count, int maxBodyBytes)
    {
        var random = new Random(seed);
        var cases = new List<HostileCase>(count);
        for (var i = 0; i < count; i++)
        {
            var family = Families[random.Next(Families.Length)];
            cases.Add(Make(random, i, family, maxBodyBytes));
        }

        return cases;
    }

    private static HostileCase Make(Random random, int number, string family, int maxBodyBytes) => family switch
    {
        "invalid_json" => Json(number, family, Corrupt(random, Valid(random))),
        "wrong_type" => Json(number, family, WithField(random, Fields[random.Next(Fields.Length)], WrongValues[random.Next(WrongValues.Length)])),
        "deep_nesting" => Json(number, family, DeepNesting(random)),
        "huge_value" => Json(number, family, Huge(random, maxBodyBytes)),
        "invalid_utf8" => new HostileCase(number, family, InvalidUtf8(random), "application/json", [], HostileDelivery.Plain),
        "content_type" => new HostileCase(number, family, Encoding.UTF8.GetBytes(Valid(random)), ContentTypes[random.Next(ContentTypes.Length)], [], HostileDelivery.Plain),
        "duplicate_key" => Json(number, family, Duplicate(random)),
        "absurd_number" => Json(number, family, WithField(random, random.Next(2) == 0 ? "max_tokens" : (random.Next(2) == 0 ? "n" : "temperature"), AbsurdNumbers[random.Next(AbsurdNumbers.Length)])),
        "bad_header" => new HostileCase(number, family, Encoding.UTF8.GetBytes(Valid(random)), "application/json", [BadHeader(random)], HostileDelivery.Plain),
        "odd_document" => Json(number, family, OddDocument(random)),
        "odd_model" => Json(number, family, WithField(random, "model", OddModel(random))),
        "slow_body" => new HostileCase(number, family, Encoding.UTF8.GetBytes(random.Next(2) == 0 ? Valid(random) : Corrupt(random, Valid(random))), "application/json", [], HostileDelivery.Slow),
        "truncated_body" => new HostileCase(number, family, Encoding.UTF8.GetBytes(Valid(random)), "application/json", [], HostileDelivery.Truncated),
        "raw_header" => new HostileCase(number, family, Encoding.UTF8.GetBytes(Valid(random)), "application/json", [RawHeader(random)], HostileDelivery.RawHeaders),
        _ => Json(number, family, ValidMutant(random)),
    };

    private static HostileCase Json(int number, string family, string body) =>
        new(number, family, Encoding.UTF8.GetBytes(body), "application/json", [], HostileDelivery.Plain);

    private static string Valid(Random random)
    {
        var model = random.Next(4) switch { 0 => "backup", 1 => "primary", _ => "chain" };
        var role = random.Next(5) == 0 ? "system" : "user";
        var stream = random.Next(3) == 0 ? ",\"stream\":true" : string.Empty;
        return $"{{\"model\":\"{model}\",\"messages\":[{{\"role\":\"{role}\",\"content\":\"Hi {random.Next(1000)}\"}}]{stream}}}";
    }

    private static string WithField(Random random, string field, string value)
    {
        var body = Valid(random);
        if (field is "model" or "messages")
        {
            var start = body.IndexOf("\"" + field + "\":", StringComparison.Ordinal);
            var valueStart = start + field.Length + 3;
            var valueEnd = field == "model" ? body.IndexOf('"', valueStart + 1) + 1 : body.IndexOf(']', valueStart) + 1;
            return body[..valueStart] + value + body[valueEnd..];
        }

        return body[..^1] + ",\"" + field + "\":" + value + "}";
    }

    private static string Corrupt(Random random, string body)
    {
        var chars = body.ToCharArray();
        return random.Next(6) switch
        {
            0 => body[..random.Next(body.Length)],
            1 => body.Insert(random.Next(body.Length), ((char)random.Next(32, 127)).ToString()),
            2 => Replace(chars, random, (char)random.Next(32, 127)),
            3 => body.Remove(random.Next(body.Length), 1),
            4 => body + new string(']', random.Next(1, 5)),
            _ => body.Replace(":", random.Next(2) == 0 ? "=" : "::", StringComparison.Ordinal),
        };
    }

    private static string Replace(char[] chars, Random random, char with)
    {
        chars[random.Next(chars.Length)] = with;
        return new string(chars);
    }

    private static string DeepNesting(Random random)
    {
        var depth = random.Next(4) == 0 ? random.Next(1000, 20000) : random.Next(30, 200);
        var open = random.Next(2) == 0 ? "[" : "{\"a\":";
        var close = open == "[" ? "]" : "}";
        var nested = string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth));
        var field = random.Next(3) switch { 0 => "metadata", 1 => "messages", _ => "tools" };
        return WithField(random, field, random.Next(5) == 0 ? nested[..(nested.Length / 2)] : nested);
    }

    private static string Huge(Random random, int maxBodyBytes)
    {
        var size = random.Next(10) switch
        {
            0 => maxBodyBytes + random.Next(1, 4096),
            1 => maxBodyBytes - 200,
            _ => random.Next(1024, 8192),
        };
        return random.Next(3) switch
        {
            0 => "{\"model\":\"chain\",\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('x', size) + "\"}]}",
            1 => "{\"model\":\"chain\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stop\":[" + string.Join(',', Enumerable.Repeat("1", size / 2)) + "]}",
            _ => "{\"model\":\"" + new string('m', size) + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
        };
    }

    private static byte[] InvalidUtf8(Random random)
    {
        byte[][] bad = [[0xFF], [0xC3, 0x28], [0xE2, 0x28, 0xA1], [0xF0, 0x28, 0x8C, 0x28], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0x80], [0xF8, 0x88, 0x80, 0x80, 0x80]];
        var body = Encoding.UTF8.GetBytes(Valid(random));
        var at = random.Next(3) switch
        {
            0 => Array.IndexOf(body, (byte)'H') + 1,
            1 => Array.IndexOf(body, (byte)'m') + 1,
            _ => random.Next(body.Length),
        };
        var insert = bad[random.Next(bad.Length)];
        var result = new byte[body.Length + insert.Length];
        body.AsSpan(0, at).CopyTo(result);
        insert.CopyTo(result, at);
        body.AsSpan(at).CopyTo(result.AsSpan(at + insert.Length));
        return random.Next(4) == 0 ? Encoding.UTF8.GetBytes(Valid(random).Replace("Hi", "\\ud800\\udc00\\ud800 Hi", StringComparison.Ordinal)) : result;
    }

    private static string Duplicate(Random random)
    {
        var body = Valid(random);
        return random.Next(5) switch
        {
            0 => body[..^1] + ",\"model\":\"backup\"}",
            1 => body[..^1] + ",\"messages\":[]}",
            2 => body[..^1] + ",\"stream\":true,\"stream\":false}",
            3 => body[..^1] + ",\"m\\u006fdel\":\"backup\"}",
            _ => body.Replace("\"role\":\"user\"", "\"role\":\"user\",\"role\":\"system\"", StringComparison.Ordinal),
        };
    }

    private static KeyValuePair<string, string> BadHeader(Random random) => random.Next(9) switch
    {
        0 => new("x-dispatcher-max-cost-usd", random.Next(4) switch { 0 => "abc", 1 => "-1", 2 => "NaN", _ => "1e400" }),
        1 => new("x-dispatcher-fallback", random.Next(2) == 0 ? "maybe" : new string('o', 300)),
        2 => new("x-dispatcher-session", new string('s', random.Next(1, 8000))),
        3 => new("Authorization", random.Next(2) == 0 ? "Bearer" : "Basic !!!"),
        4 => new("x-large", new string('h', random.Next(20_000, 45_000))),
        5 => new("Content-Encoding", "gzip"),
        6 => new("Transfer-Encoding", "chunked"),
        7 => new("Expect", "100-continue"),
        _ => new("x-dispatcher-max-cost-usd", "0.0000001"),
    };

    private static KeyValuePair<string, string> RawHeader(Random random) => random.Next(5) switch
    {
        0 => new("x-bin", "\u0001\u0002"),
        1 => new("x-latin", "caf\u00e9\u00ff"),
        2 => new("bad header", "value"),
        3 => new("x-cr", "a\rb"),
        _ => new("x-huge", new string('z', 70_000)),
    };

    private static string OddDocument(Random random) => random.Next(12) switch
    {
        0 => string.Empty,
        1 => "null",
        2 => "\"a string\"",
        3 => "42",
        4 => "\uFEFF" + Valid(random),
        5 => Valid(random) + " " + Valid(random),
        6 => "/* comment */" + Valid(random),
        7 => Valid(random).Replace("}]", "},]", StringComparison.Ordinal),
        8 => "   \n\t  ",
        9 => "{}",
        10 => Valid(random).Replace("\"", "'", StringComparison.Ordinal),
        _ => Valid(random)[..^1] + ",\"" + new string('k', 3) + "\":1," + string.Join(',', Enumerable.Range(0, 200).Select(static i => "\"f" + i.ToString(CultureInfo.InvariantCulture) + "\":0")) + "}",
    };

    private static string OddModel(Random random) => random.Next(8) switch
    {
        0 => "\"chain\\u0000\"",
        1 => "\"../../etc/passwd\"",
        2 => "\"\"",
        3 => "\"CHAIN\"",
        4 => "\"chain \"",
        5 => "\"\\ud83d\\ude00\"",
        6 => "\"%00%2e%2e\"",
        _ => "\"" + new string('\u00e9', random.Next(1, 300)) + "\"",
    };

    private static string ValidMutant(Random random)
    {
        var role = Roles[random.Next(Roles.Length)];
        var content = random.Next(5) switch
        {
            0 => "null",
            1 => "[{\"type\":\"text\",\"text\":\"hi\"}]",
            2 => "[{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:,\"}}]",
            3 => "[{\"type\":\"unknown\"}]",
            _ => "\"hi\"",
        };
        var extra = random.Next(6) switch
        {
            0 => ",\"models\":[\"primary\",\"backup\"]",
            1 => ",\"models\":[\"nope\"]",
            2 => ",\"stream\":true,\"stream_options\":{\"include_usage\":true}",
            3 => ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{}}}]",
            // A schema the validator cannot compile: 400 (a valid one would hold the fake's plain-text answer to it).
            4 => ",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":{\"type\":\"nonsense\"}}}",
            _ => ",\"max_tokens\":" + random.Next(-5, 200_000).ToString(CultureInfo.InvariantCulture),
        };
        return "{\"model\":\"chain\",\"messages\":[{\"role\":\"" + role + "\",\"content\":" + content + "}]" + extra + "}";
    }
}
