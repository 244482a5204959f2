using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Dispatcher.FakeUpstream;

/// <summary>GET /v1/models: OpenAI's model list, with every model seen or scripted.</summary>
internal static class ModelsApi
{
    private const long Created = 1_700_000_000;

    public static async Task WriteListAsync(HttpContext context, ModelScripts scripts)
    {
        context.Response.ContentType = "application/json";
        await using (var json = new Utf8JsonWriter(context.Response.BodyWriter, OpenAiError.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("object", "list");
            json.WriteStartArray("data");
            foreach (var (model, _) in scripts.Snapshot())
            {
                json.WriteStartObject();
                json.WriteString("id", model);
                json.WriteString("object", "model");
                json.WriteNumber("created", Created);
                json.WriteString("owned_by", "fake-upstream");
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }
}
