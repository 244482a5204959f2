using Dispatcher.Grains.Configuration;
using Dispatcher.Providers.Chat;

namespace Dispatcher.Grains.Contracts;

/// <summary>
/// What an answer must look like for this request: the content schema (<c>response_format</c>'s
/// <c>json_schema</c>, else the route's <c>ResponseSchema</c>) and the parameters schema of each function declared
/// <c>strict</c>. A request with a contract is guarded: its answer is checked before the client sees any of it, a
/// stream is held to its end, and a breach is a <c>schema_violation</c> attempt (SPEC.md).
/// </summary>
public sealed class OutputContract
{
    private readonly (string Name, JsonSchema Schema)[] _tools;

    private OutputContract(JsonSchema? content, bool contentFromRoute, (string Name, JsonSchema Schema)[] tools)
    {
        Content = content;
        ContentFromRoute = contentFromRoute;
        _tools = tools;
    }

    /// <summary>The schema the answer's content must match, if any.</summary>
    public JsonSchema? Content { get; }

    /// <summary>True when <see cref="Content"/> is the route's <c>ResponseSchema</c>, not the request's.</summary>
    public bool ContentFromRoute { get; }

    /// <summary>The request's contract, or null when it has none (the common case: nothing is guarded).</summary>
    /// <exception cref="ContractException">A schema of the request cannot be compiled; the message names it.</exception>
    public static OutputContract? For(ChatRequest request, RouteOptions route)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(route);
        JsonSchema? content = null;
        var fromRoute = false;
        if (!request.ResponseSchema.IsEmpty)
        {
            content = Compile(request.ResponseSchema, "response_format.json_schema.schema");
        }
        else if (route.CompiledResponseSchema() is { } routeSchema)
        {
            (content, fromRoute) = (routeSchema, true);
        }

        var tools = CompileTools(request.ToolSchemas);
        return content is null && tools.Length == 0 ? null : new OutputContract(content, fromRoute, tools);
    }

    /// <summary>The first breach of the contract in <paramref name="output"/>, or null when the answer keeps it.</summary>
    internal ContractBreach? Check(AnswerOutput output)
    {
        foreach (var choice in output.Choices)
        {
            foreach (var call in choice.ToolCalls)
            {
                if (CheckToolCall(call) is { } breach)
                {
                    return breach;
                }
            }

            // A choice that only calls tools, or refuses, has no content to check.
            if (Content is not null && choice.HasContent && Content.Validate(choice.Content.WrittenSpan) is { } violation)
            {
                return ContractBreach.ForContent(violation, choice.Content.WrittenSpan);
            }
        }

        return null;
    }

    private ContractBreach? CheckToolCall(ToolCallOutput call)
    {
        foreach (var (name, schema) in _tools)
        {
            if (string.Equals(name, call.Name, StringComparison.Ordinal))
            {
                return schema.Validate(call.Arguments.WrittenSpan) is { } violation ? ContractBreach.ForTool(name, violation) : null;
            }
        }

        // Not a strict tool (or not declared at all): nothing was promised about its arguments.
        return null;
    }

    private static (string Name, JsonSchema Schema)[] CompileTools(IReadOnlyList<ToolSchema>? declared)
    {
        if (declared is null)
        {
            return [];
        }

        var strict = 0;
        foreach (var tool in declared)
        {
            strict += tool.Strict ? 1 : 0;
        }

        var tools = new (string, JsonSchema)[strict];
        var next = 0;
        for (var i = 0; i < declared.Count; i++)
        {
            if (declared[i].Strict)
            {
                tools[next++] = (declared[i].Name, Compile(declared[i].Parameters, $"tools[{i}].function.parameters"));
            }
        }

        return tools;
    }

    private static JsonSchema Compile(ReadOnlyMemory<byte> schema, string param)
    {
        try
        {
            return JsonSchema.Compile(schema);
        }
        catch (SchemaException error)
        {
            throw new ContractException(param, $"Invalid schema in '{param}': {error.Message}");
        }
    }
}
