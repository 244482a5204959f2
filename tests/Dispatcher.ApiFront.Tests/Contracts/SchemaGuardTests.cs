using System.ClientModel;
using System.Net;
using System.Text.Json;
using Dispatcher.ApiFront.Tests.Endpoints;
using Dispatcher.ApiFront.Tests.TestHost;
using Dispatcher.FakeUpstream;
using OpenAI.Chat;

namespace Dispatcher.ApiFront.Tests.Contracts;

[Collection(DispatcherCollection.Name)]
public sealed class SchemaGuardTests
{
    private const string PersonSchema = """
        {"type":"object","properties":{"name":{"type":"string"},"age":{"type":["integer","null"]}},
         "required":["name","age"],"additionalProperties":false}
        """;

    private const string WeatherParameters = """
        {"type":"object","properties":{"city":{"type":"string"},"unit":{"enum":["c","f"]}},"required":["city","unit"],"additionalProperties":false}
        """;

    private readonly DispatcherFixture _node;

    public SchemaGuardTests(DispatcherFixture node)
    {
        _node = node;
        _node.Reset();
    }

    [Fact]
    public async Task Complete_AnswerBreaksRequestSchema_NextModelServesAndReasonIsSchemaViolation()
    {
        _node.Upstream.Enqueue("primary-model", FakeBehavior.Ok("""{"name":"Ada","age":"thirty-six"}"""));
        _node.Upstream.Enqueue("backup-model", FakeBehavior.Ok("""{"name":"Ada","age":36}"""));

        var result = await _node.Chat("guarded").CompleteChatAsync([new UserChatMessage("Who?")], PersonOptions());

        Assert.Equal("""{"name":"Ada","age":36}""", result.Value.Content[0].Text);
        Assert.Equal("backup", Header(result, "x-dispatcher-model"));
        Assert.Equal("primary=schema_violation", Header(result, "x-dispatcher-fallback-reasons"));
        Assert.Equal("2", Header(result, "x-dispatcher-attempts"));

        // The broken answer was still billed: the trail prices it at the model that produced it.
        using var trail = await TrailAsync(Header(result, "x-dispatcher-request-id"));
        var first = trail.RootElement.GetProperty("attempts")[0];
        Assert.Equal("schema_violation", first.GetProperty("kind").GetString());
        Assert.True(first.GetProperty("cost_usd").GetDecimal() > 0m);
        Assert.Contains("$.age: expected null or integer, got string", first.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Complete_RepairingRoute_SameModelIsToldWhatWasWrongAndServes()
    {
        _node.Upstream.Enqueue("primary-model", FakeBehavior.Ok("""{"name":"Ada"}"""));
        _node.Upstream.Enqueue("primary-model", FakeBehavior.Ok("""{"name":"Ada","age":null}"""));

        var result = await _node.Chat("repairing").CompleteChatAsync([new UserChatMessage("Who?")], PersonOptions());

        Assert.Equal("""{"name":"Ada","age":null}""", result.Value.Content[0].Text);
        Assert.Equal("primary", Header(result, "x-dispatcher-model"));
        Assert.Equal("primary=schema_violation", Header(result, "x-dispatcher-fallback-reasons"));
        Assert.Equal(0, _node.Upstream.CallCount("backup-model"));

        using var repair = JsonDocument.Parse(_node.Upstream.Received[^1].Body);
        var messages = repair.RootElement.GetProperty("messages");
        Assert.Equal(3, messages.GetArrayLength());
        Assert.Equal("assistant", messages[1].GetProperty("role").GetString());
        Assert.Equal("""{"name":"Ada"}""", messages[1].GetProperty("content").GetString());
        Assert.Equal("user", messages[2].GetProperty("role").GetString());
        Assert.Contains("missing required property 'age'", messages[2].GetProperty("content").GetString(), StringComparison.Ordinal);
        Assert.Equal("json_schema", repair.RootElement.GetProperty("response_format").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Complete_RepairFailsToo_NextModelServes()
    {
        _node.Upstream.Enqueue("primary-model", FakeBehavior.Ok("not json"));
        _node.Upstream.Enqueue("primary-model", FakeBehavior.Ok("""{"name":1,"age":1}"""));
        _node.Upstream.Enqueue("backup-model", FakeBehavior.Ok("""{"name":"Ada","age":1}"""));

        var result = await _node.Chat("repairing").CompleteChatAsync([new UserChatMessage("Who?")], PersonOptions());

        Assert.Equal("backup", Header(result, "x-dispatcher-model"));
        Assert.Equal("primary=schema_violation;primary=schema_violation", Header(result, "x-dispatcher-fallback-reasons"));
    }

    [Fact]
    public async Task Complete_EveryModelBreaksSchema_502SchemaViolation()
    {
        _node.Upstream.Enqueue("primary-model", FakeBehavior.Ok("[]"));
        _node.Upstream.Enqueue("backup-model", FakeBehavior.Ok("{}"));

        using var response = await _node.Http.SendAsync(ChatBodies.Post(GuardedBody("guarded", stream: false)));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("schema_violation", await FallbackTests.ErrorCodeAsync(response));
        Assert.Equal("primary=schema_violation;backup=schema_violation", ChatBodies.Header(response, "x-dispatcher-fallback-reasons"));
    }

    [Fact]
    public async Task Complete_StrictToolArgumentsInvalid_NextModelServes()
    {
        _node.Upstream.Enqueue("primary-model", FakeBehavior.ToolCall("get_weather", """{"city":"Paris","unit":"kelvin"}"""));
        _node.Upstream.Enqueue("backup-model", FakeBehavior.ToolCall("get_weather", """{"city":"Paris","unit":"c"}"""));
        var options = new ChatCompletionOptions
        {
            Tools = { ChatTool.CreateFunctionTool("get_weather", "Weather now", BinaryData.FromString(WeatherParameters), functionSchemaIsStrict: true) },
        };

        var result = await _node.Chat("guarded").CompleteChatAsync([new UserChatMessage("Weather in Paris?")], options);

        Assert.Equal("get_weather", result.Value.ToolCalls[0].FunctionName);
        Assert.Equal("""{"city":"Paris","unit":"c"}""", result.Value.ToolCalls[0].FunctionArguments.ToString());
        Assert.Equal("backup", Header(result, "x-dispatcher-model"));
        Assert.Equal("primary=schema_violation", Header(result, "x-dispatcher-fallback-reasons"));
    }

    [Fact]
    public async Task Complete_NonStrictToolArgumentsOffSchema_ServedUnchecked()
    {
        _node.Upstream.Enqueue("primary-model", FakeBehavior.ToolCall("get_weather", """{"town":"Paris"}"""));
        var options = new ChatCompletionOptions { Tools = { ChatTool.CreateFunctionTool("get_weather", "Weather now", BinaryData.FromString(WeatherParameters)) } };

        var result = await _node.Chat("guarded").CompleteChatAsync([new UserChatMessage("Weather in Paris?")], options);

        Assert.Equal("primary", Header(result, "x-dispatcher-model"));
        Assert.Equal(string.Empty, Header(result, "x-dispatcher-fallback-reasons"));
    }

    [Fact]
    public async Task Complete_RouteDeclaresSchema_GuardsRequestsWithoutResponseFormat()
    {
        _node.Upstream.Enqueue("primary-model", FakeBehavior.Ok("Sure! Here is the answer: yes"));
        _node.Upstream.Enqueue("backup-model", FakeBehavior.Ok("""{"answer":"yes"}"""));

        var result = await _node.Chat("contracted").CompleteChatAsync([new UserChatMessage("Well?")]);

        Assert.Equal("""{"answer":"yes"}""", result.Value.Content[0].Text);
        Assert.Equal("primary=schema_violation", Header(result, "x-dispatcher-fallback-reasons"));
    }

    [Fact]
    public async Task Complete_SchemaDispatcherCannotCheck_400NamingTheParameter()
    {
        var body = ChatBodies.Simple("guarded")[..^1]
            + ""","response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"objekt"}}}}""";

        using var response = await _node.Http.SendAsync(ChatBodies.Post(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("response_format.json_schema.schema", error.RootElement.GetProperty("error").GetProperty("param").GetString());
        Assert.Contains("unknown type 'objekt'", error.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, _node.Upstream.TotalCalls);
    }

    [Fact]
    public async Task Stream_GuardedAnswerBreaksSchema_FallsBackInvisibly()
    {
        _node.Upstream.Enqueue("primary-model", FakeBehavior.Ok("""{"name":"Ada","age":36,"extra":true}"""));
        _node.Upstream.Enqueue("backup-model", FakeBehavior.Ok("""{"name":"Ada","age":36}"""));

        using var response = await _node.Http.SendAsync(ChatBodies.Post(GuardedBody("guarded", stream: true)), HttpCompletionOption.ResponseHeadersRead);
        var (events, aborted) = await ChatBodies.ReadEventsAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(aborted);
        Assert.Equal("backup", ChatBodies.Header(response, "x-dispatcher-model"));
        Assert.Equal("primary=schema_violation", ChatBodies.Header(response, "x-dispatcher-fallback-reasons"));
        Assert.Equal("2", ChatBodies.Header(response, "x-dispatcher-attempts"));
        Assert.Equal("""{"name":"Ada","age":36}""", Content(events));
        Assert.Equal("[DONE]", events[^1]);
        using var trailer = JsonDocument.Parse(events[^2]);
        Assert.Equal(2, trailer.RootElement.GetProperty("dispatcher").GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task Stream_GuardedAnswerCutAfterFirstContent_FallsBackBecauseNothingWasSent()
    {
        // Unguarded, this cut comes after the commit point and ends the stream with an error event; guarded, the
        // commit point is the end of the answer, so the client never sees the broken attempt.
        _node.Upstream.Enqueue("primary-model", FakeBehavior.CutConnection(2) with { ChunkDelay = TimeSpan.FromMilliseconds(100) });
        _node.Upstream.Enqueue("backup-model", FakeBehavior.Ok("""{"name":"Ada","age":null}"""));

        using var response = await _node.Http.SendAsync(ChatBodies.Post(GuardedBody("guarded", stream: true)), HttpCompletionOption.ResponseHeadersRead);
        var (events, aborted) = await ChatBodies.ReadEventsAsync(response);

        Assert.False(aborted);
        Assert.Equal("primary=stream_cut", ChatBodies.Header(response, "x-dispatcher-fallback-reasons"));
        Assert.Equal("""{"name":"Ada","age":null}""", Content(events));
    }

    [Fact]
    public async Task Stream_GuardedValidAnswer_ServedWhole()
    {
        _node.Upstream.Enqueue("primary-model", FakeBehavior.Ok("""{"name":"Grace","age":85}"""));

        var updates = _node.Chat("guarded").CompleteChatStreamingAsync([new UserChatMessage("Who?")], PersonOptions());
        var text = new System.Text.StringBuilder();
        await foreach (var update in updates)
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }
        }

        Assert.Equal("""{"name":"Grace","age":85}""", text.ToString());
        Assert.Equal(1, _node.Upstream.CallCount("primary-model"));
    }

    private static ChatCompletionOptions PersonOptions() => new()
    {
        ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("person", BinaryData.FromString(PersonSchema), jsonSchemaIsStrict: true),
    };

    private static string GuardedBody(string model, bool stream) =>
        ChatBodies.Simple(model, stream)[..^1]
        + ""","response_format":{"type":"json_schema","json_schema":{"name":"person","strict":true,"schema":""" + PersonSchema + "}}}";

    private static string Header<T>(ClientResult<T> result, string name) =>
        result.GetRawResponse().Headers.TryGetValue(name, out var value) ? value ?? string.Empty : throw new Xunit.Sdk.XunitException($"missing header {name}");

    private async Task<JsonDocument> TrailAsync(string requestId)
    {
        using var response = await _node.Http.GetAsync(new Uri($"/v1/dispatcher/requests/{requestId}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    private static string Content(List<string> events)
    {
        var text = new System.Text.StringBuilder();
        foreach (var data in events)
        {
            if (data == "[DONE]")
            {
                continue;
            }

            using var chunk = JsonDocument.Parse(data);
            foreach (var choice in chunk.RootElement.GetProperty("choices").EnumerateArray())
            {
                if (choice.GetProperty("delta").TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
                {
                    text.Append(content.GetString());
                }
            }
        }

        return text.ToString();
    }
}
