using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AuthApp.Api.Tests.Infrastructure;

/// <summary>
/// A local stand-in for Gemini's <c>POST /v1beta/models/{model}:generateContent</c> (the idea of
/// AuthApp.Tests' fake, cut to what the API tests need): every command turns <c>Living</c>/<c>Lamp</c> on, a key
/// starting with <see cref="RejectedKeyPrefix"/> gets Gemini's 400 <c>API_KEY_INVALID</c>, and every key that
/// arrives in <c>x-goog-api-key</c> is recorded.
/// </summary>
public sealed class FakeGemini : IAsyncDisposable
{
    public const string RejectedKeyPrefix = "bad-";

    private readonly ConcurrentQueue<string?> _keys = new();
    private LocalServer? _server;

    public Uri BaseUrl => _server?.BaseAddress ?? throw new InvalidOperationException("The fake has not started.");

    /// <summary>The <c>x-goog-api-key</c> header of every request received, in order.</summary>
    public IReadOnlyCollection<string?> KeysReceived => _keys;

    /// <summary>The API settings that point voice commands here.</summary>
    public (string Key, string? Value) Setting => ("Voice:GeminiBaseUrl", BaseUrl.ToString());

    public static async Task<FakeGemini> StartAsync()
    {
        var fake = new FakeGemini();
        fake._server = await LocalServer.StartAsync(app => app.MapPost("/v1beta/models/{model}", fake.GenerateContent), TestContext.Current.CancellationToken);
        return fake;
    }

    private IResult GenerateContent(HttpContext context)
    {
        string? key = context.Request.Headers["x-goog-api-key"];
        _keys.Enqueue(key);
        if (key?.StartsWith(RejectedKeyPrefix, StringComparison.Ordinal) == true)
        {
            return Results.Json(new JsonObject
            {
                ["error"] = new JsonObject { ["code"] = 400, ["message"] = "API key not valid. Please pass a valid API key.", ["status"] = "INVALID_ARGUMENT" },
            }, statusCode: StatusCodes.Status400BadRequest);
        }

        return Results.Json(new JsonObject
        {
            ["candidates"] = new JsonArray(new JsonObject
            {
                ["content"] = new JsonObject
                {
                    ["role"] = "model",
                    ["parts"] = new JsonArray(new JsonObject { ["text"] = """{"venue":"Living","device":"Lamp","value":"on"}""" }),
                },
                ["finishReason"] = "STOP",
            }),
        });
    }

    public ValueTask DisposeAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;
}
