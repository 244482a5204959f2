using System.Text;
using Dispatcher.Grains.Contracts;
using Xunit;

namespace Dispatcher.Grains.Tests.Contracts;

public sealed class JsonSchemaTests
{
    private const string Person = """
        {"type":"object","properties":{
            "name":{"type":"string","minLength":1,"maxLength":5},
            "age":{"type":["integer","null"],"minimum":0,"maximum":150},
            "tags":{"type":"array","items":{"type":"string"},"minItems":1,"maxItems":3}},
         "required":["name","age"],"additionalProperties":false}
        """;

    [Theory]
    [InlineData("""{"name":"Ada","age":36}""")]
    [InlineData("""{"name":"Ada","age":null}""")]
    [InlineData("""{"name":"Ada","age":36,"tags":["x"]}""")]
    [InlineData("""{"age":36.0,"name":"Ada"}""")]
    [InlineData(""" {"name":"Ada","age":1e1} """)]
    public void Validate_MatchingObject_ReturnsNull(string json) => Assert.Null(Check(Person, json));

    [Theory]
    [InlineData("""{"name":"Ada"}""", "$: missing required property 'age'")]
    [InlineData("""{"name":"Ada","age":36,"extra":1}""", "$: property 'extra' is not allowed (additionalProperties is false)")]
    [InlineData("""{"name":5,"age":36}""", "$.name: expected string, got integer")]
    [InlineData("""{"name":"","age":36}""", "$.name: is 0 characters, shorter than minLength 1")]
    [InlineData("""{"name":"Adalbert","age":36}""", "$.name: is 8 characters, longer than maxLength 5")]
    [InlineData("""{"name":"Ada","age":36.5}""", "$.age: expected null or integer, got number")]
    [InlineData("""{"name":"Ada","age":-1}""", "$.age: -1 is less than the minimum 0")]
    [InlineData("""{"name":"Ada","age":151}""", "$.age: 151 is greater than the maximum 150")]
    [InlineData("""{"name":"Ada","age":"36"}""", "$.age: expected null or integer, got string")]
    [InlineData("""{"name":"Ada","age":36,"tags":[]}""", "$.tags: has 0 items, fewer than minItems 1")]
    [InlineData("""{"name":"Ada","age":36,"tags":["a","b","c","d"]}""", "$.tags: has 4 items, more than maxItems 3")]
    [InlineData("""{"name":"Ada","age":36,"tags":["a",2]}""", "$.tags[1]: expected string, got integer")]
    [InlineData("""[1]""", "$: expected object, got array")]
    [InlineData("""{"name":"Ada","age":36""", "$: the answer is not valid JSON")]
    [InlineData("""{"name":"Ada","age":36} trailing""", "$: the answer is not valid JSON")]
    [InlineData("""{"name":"Ada","age":36}{}""", "$: the answer has text after its JSON value")]
    [InlineData("", "$: the answer is empty, not JSON")]
    public void Validate_Violation_SaysWhereAndWhat(string json, string expected) => Assert.Equal(expected, Check(Person, json));

    [Theory]
    [InlineData("\"caf\\u00e9\"", null)]
    [InlineData("\"café\"", null)]
    [InlineData("\"cafés\"", "$: is 5 characters, longer than maxLength 4")]
    [InlineData("\"😀😀😀😀\"", null)]
    public void Validate_StringLength_CountsCodePointsAfterUnescaping(string json, string? expected) =>
        Assert.Equal(expected, Check("""{"type":"string","maxLength":4}""", json));

    [Theory]
    [InlineData("\"AB-123\"", null)]
    [InlineData("\"ab-123\"", "$: does not match the pattern '^[A-Z]{2}-\\d{3}$'")]
    [InlineData("\"AB\\u002d123\"", null)]
    public void Validate_Pattern_MatchesUnescapedText(string json, string? expected) =>
        Assert.Equal(expected, Check("""{"type":"string","pattern":"^[A-Z]{2}-\\d{3}$"}""", json));

    [Theory]
    [InlineData("0", "$: 0 is not greater than the exclusive minimum 0")]
    [InlineData("0.5", null)]
    [InlineData("1", "$: 1 is not less than the exclusive maximum 1")]
    public void Validate_ExclusiveBounds_AreStrict(string json, string? expected) =>
        Assert.Equal(expected, Check("""{"type":"number","exclusiveMinimum":0,"exclusiveMaximum":1}""", json));

    [Theory]
    [InlineData("\"red\"", null)]
    [InlineData("\"r\\u0065d\"", null)]
    [InlineData("2", null)]
    [InlineData("2.0", null)]
    [InlineData("null", null)]
    [InlineData("\"blue\"", "$: must be one of \"red\", 2, null")]
    [InlineData("true", "$: must be one of \"red\", 2, null")]
    public void Validate_Enum_ComparesValues(string json, string? expected) =>
        Assert.Equal(expected, Check("""{"enum":["red",2,null]}""", json));

    [Fact]
    public void Validate_Const_IsAnEnumOfOne()
    {
        Assert.Null(Check("""{"const":"v1"}""", "\"v1\""));
        Assert.Equal("$: must be \"v1\"", Check("""{"const":"v1"}""", "\"v2\""));
    }

    [Theory]
    [InlineData("""{"kind":"circle","r":1}""", null)]
    [InlineData("""{"kind":"square","side":2}""", null)]
    [InlineData("""{"kind":"square","r":2}""", "$.kind: matches none of the anyOf schemas (first: must be \"circle\")")]
    public void Validate_AnyOf_AcceptsAnyBranch(string json, string? expected)
    {
        const string Shapes = """
            {"anyOf":[
              {"type":"object","properties":{"kind":{"const":"circle"},"r":{"type":"number"}},"required":["kind","r"],"additionalProperties":false},
              {"type":"object","properties":{"kind":{"const":"square"},"side":{"type":"number"}},"required":["kind","side"],"additionalProperties":false}]}
            """;
        Assert.Equal(expected, Check(Shapes, json));
    }

    [Fact]
    public void Validate_AnyOfInsideArray_ContinuesAfterTheMatchedItem()
    {
        const string Schema = """{"type":"array","items":{"anyOf":[{"type":"string"},{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]}]}}""";
        Assert.Null(Check(Schema, """["a",{"n":1},"b",{"n":2}]"""));
        Assert.Equal("$[3]: matches none of the anyOf schemas (first: expected string, got object)", Check(Schema, """["a",{"n":1},"b",{"n":"x"}]"""));
    }

    [Fact]
    public void Validate_RecursiveRef_FollowsDefs()
    {
        const string Tree = """
            {"$ref":"#/$defs/node","$defs":{"node":{"type":"object","properties":{
                "value":{"type":"integer"},"children":{"type":"array","items":{"$ref":"#/$defs/node"}}},
              "required":["value","children"],"additionalProperties":false}}}
            """;
        Assert.Null(Check(Tree, """{"value":1,"children":[{"value":2,"children":[]},{"value":3,"children":[{"value":4,"children":[]}]}]}"""));
        Assert.Equal("$.children[1].children[0].value: expected integer, got string",
            Check(Tree, """{"value":1,"children":[{"value":2,"children":[]},{"value":3,"children":[{"value":"4","children":[]}]}]}"""));
    }

    [Fact]
    public void Validate_RootRef_RecursesIntoItself()
    {
        const string List = """{"type":"object","properties":{"next":{"anyOf":[{"$ref":"#"},{"type":"null"}]}},"required":["next"]}""";
        Assert.Null(Check(List, """{"next":{"next":{"next":null}}}"""));
        Assert.NotNull(Check(List, """{"next":{"next":{}}}"""));
    }

    [Fact]
    public void Validate_RefLoopWithoutProgress_IsAViolationNotAStackOverflow()
    {
        Assert.Equal("$: the schema's references loop without reading the value", Check("""{"$defs":{"a":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"}""", "1"));
    }

    [Fact]
    public void Validate_AdditionalPropertiesSchema_AppliesToUndeclaredProperties()
    {
        const string Schema = """{"type":"object","properties":{"id":{"type":"string"}},"additionalProperties":{"type":"integer"}}""";
        Assert.Null(Check(Schema, """{"id":"x","a":1,"b":2}"""));
        Assert.Equal("$.b: expected integer, got string", Check(Schema, """{"id":"x","a":1,"b":"2"}"""));
    }

    [Fact]
    public void Validate_RequiredWithoutProperties_StillRequiresPresence()
    {
        Assert.Equal("$: missing required property 'x'", Check("""{"required":["x"]}""", "{}"));
        Assert.Null(Check("""{"required":["x"]}""", """{"x":[1,{"y":2}]}"""));
    }

    [Fact]
    public void Validate_EscapedPropertyName_MatchesDeclaredProperty()
    {
        Assert.Equal("$.name: expected string, got integer", Check(Person, """{"n\u0061me":1,"age":1}"""));
    }

    [Fact]
    public void Validate_BooleanSchemas_TrueAllowsAnythingFalseNothing()
    {
        Assert.Null(Check("true", """{"a":[1,2]}"""));
        Assert.Equal("$.a: no value is allowed here", Check("""{"properties":{"a":false}}""", """{"a":1}"""));
    }

    [Fact]
    public void Validate_UnknownKeywords_AreIgnored()
    {
        Assert.Null(Check("""{"type":"string","description":"d","title":"t","format":"email","strict":true}""", "\"not an email\""));
    }

    [Fact]
    public void Validate_ManyProperties_BeyondTheStackBitmap()
    {
        var properties = string.Join(",", Enumerable.Range(0, 80).Select(i => $"\"p{i}\":{{\"type\":\"integer\"}}"));
        var required = string.Join(",", Enumerable.Range(0, 80).Select(i => $"\"p{i}\""));
        var schema = $"{{\"type\":\"object\",\"properties\":{{{properties}}},\"required\":[{required}]}}";
        var all = "{" + string.Join(",", Enumerable.Range(0, 80).Select(i => $"\"p{i}\":{i}")) + "}";
        Assert.Null(Check(schema, all));
        Assert.Equal("$: missing required property 'p79'", Check(schema, all.Replace(",\"p79\":79", string.Empty, StringComparison.Ordinal)));
    }

    [Fact]
    public void Validate_SameSchemaFromManyThreads_IsStable()
    {
        var schema = JsonSchema.Compile(Person);
        var good = Encoding.UTF8.GetBytes("""{"name":"Ada","age":36}""");
        var bad = Encoding.UTF8.GetBytes("""{"name":"Ada","age":"x"}""");
        Parallel.For(0, 2000, i => Assert.Equal(i % 2 == 0, schema.Validate(i % 2 == 0 ? good : bad) is null));
    }

    [Theory]
    [InlineData("""{"type":"strin"}""", "#/type: unknown type 'strin'.")]
    [InlineData("""{"type":[]}""", "#/type: must be a type name or a non-empty array of type names.")]
    [InlineData("""{"properties":{"a":{"minLength":-1}}}""", "#/properties/a/minLength: must be a non-negative integer.")]
    [InlineData("""{"$ref":"#/$defs/missing"}""", "'$ref' '#/$defs/missing' points at nothing in the schema.")]
    [InlineData("""{"$ref":"https://example.com/s.json"}""", "'$ref' 'https://example.com/s.json': only references inside the schema ('#/$defs/…') are supported.")]
    [InlineData("""{"pattern":"(unclosed"}""", "#/pattern: not a valid regular expression.")]
    [InlineData("""{"enum":[{"a":1}]}""", "#/enum: only strings, numbers, booleans and null are supported as enum or const values.")]
    [InlineData("""{"anyOf":[]}""", "#/anyOf: must be a non-empty array of schemas.")]
    [InlineData("""[1]""", "#: a schema must be an object or a boolean.")]
    [InlineData("""{"type":""", "The schema is not valid JSON.")]
    public void Compile_MalformedSchema_NamesTheKeyword(string schema, string expected)
    {
        var error = Assert.Throws<SchemaException>(() => JsonSchema.Compile(schema));
        Assert.Equal(expected, error.Message);
    }

    private static string? Check(string schema, string json) => JsonSchema.Compile(schema).Validate(Encoding.UTF8.GetBytes(json))?.ToString();
}
