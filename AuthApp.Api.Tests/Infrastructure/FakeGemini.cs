using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AuthApp.Api.Tests.Infrastructure;

/// <summary>
/// A local stand-in for Gemini's <c>POST /v1beta/models/{model}:generateContent</c> on
/// <c>http://127.0.0.1:&lt;free port&gt;</c>. It answers from a script keyed by the words of the
/// command in the prompt, and records every request so that tests can see what the API sent.
/// </summary>
public sealed class FakeGemini : IAsyncDisposable
{
    /// <summary>Command phrases the script knows, and what the "model" answers to each.</summary>
    public static class Commands
    {
        /// <summary>Answers <c>{"venue":"Living","device":"Lamp","value":"on"}</c>.</summary>
        public const string LampOn = "please turn the lamp on";

        /// <summary>Names a device the user does not have.</summary>
        public const string Ghost = "wake the ghost device";

        /// <summary>Answers a value outside on/off/1..5 ("7").</summary>
        public const string LampSeven = "set the lamp brightness to seven";

        /// <summary>Answers prose instead of JSON.</summary>
        public const string Chatty = "tell me about the lamp";

        /// <summary>Answers the right members plus an extra one.</summary>
        public const string Extra = "lamp on, and say how sure you are";

        /// <summary>Answers 503, as Gemini does when it is overloaded (no Retry-After).</summary>
        public const string Overloaded = "the model is overloaded";
    }

    /// <summary>Keys starting with this are refused with Gemini's 400 <c>API_KEY_INVALID</c>.</summary>
    public const string RejectedKeyPrefix = "bad-";

    private readonly ConcurrentQueue<GeminiRequest> _requests = new();
    private LocalServer? _server;

    public Uri BaseUrl => _server?.BaseAddress ?? throw new InvalidOperationException("The fake has not started.");

    public IReadOnlyCollection<GeminiRequest> Requests => _requests;

    /// <summary>The <c>x-goog-api-key</c> header of every request received, in order.</summary>
    public IReadOnlyList<string?> KeysReceived => [.. _requests.Select(request => request.ApiKeyHeader)];

    /// <summary>The API setting that points voice commands here.</summary>
    public (string Key, string? Value) Setting => ("Voice:GeminiBaseUrl", BaseUrl.ToString());

    /// <summary>The requests that carried <paramref name="apiKey"/> in their <c>x-goog-api-key</c> header.</summary>
    public IReadOnlyList<GeminiRequest> RequestsWithKey(string apiKey) =>
        _requests.Where(request => request.ApiKeyHeader == apiKey).ToList();

    public static async Task<FakeGemini> StartAsync()
    {
        var fake = new FakeGemini();
        fake._server = await LocalServer.StartAsync(app => app.MapPost("/v1beta/models/{model}", fake.GenerateContentAsync), TestContext.Current.CancellationToken);
        return fake;
    }

    private async Task<IResult> GenerateContentAsync(HttpContext context, string model)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var prompt = (string?)body?["contents"]?[0]?["parts"]?[0]?["text"] ?? "";
        string? apiKey = context.Request.Headers["x-goog-api-key"];
        _requests.Enqueue(new GeminiRequest(
            context.Request.Path + context.Request.QueryString, model, apiKey, prompt));

        if (apiKey?.StartsWith(RejectedKeyPrefix, StringComparison.Ordinal) == true)
        {
            return Results.Json(new JsonObject
            {
                ["error"] = new JsonObject
                {
                    ["code"] = 400,
                    ["message"] = "API key not valid. Please pass a valid API key.",
                    ["status"] = "INVALID_ARGUMENT",
                    ["details"] = new JsonArray(new JsonObject
                    {
                        ["@type"] = "type.googleapis.com/google.rpc.ErrorInfo",
                        ["reason"] = "API_KEY_INVALID",
                        ["domain"] = "googleapis.com",
                    }),
                },
            }, statusCode: StatusCodes.Status400BadRequest);
        }

        var answer = Script(prompt);
        if (answer is null)
        {
            return Results.Json(new JsonObject
            {
                ["error"] = new JsonObject { ["code"] = 503, ["message"] = "The model is overloaded. Please try again later.", ["status"] = "UNAVAILABLE" },
            }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        return Results.Json(new JsonObject
        {
            ["candidates"] = new JsonArray(new JsonObject
            {
                ["content"] = new JsonObject
                {
                    ["role"] = "model",
                    ["parts"] = new JsonArray(new JsonObject { ["text"] = answer }),
                },
                ["finishReason"] = "STOP",
            }),
            ["modelVersion"] = model.Split(':')[0],
        });
    }

    /// <summary>The model's text for a prompt; <c>null</c> for "overloaded".</summary>
    private static string? Script(string prompt) => prompt switch
    {
        _ when prompt.Contains(Commands.Overloaded, StringComparison.Ordinal) => null,
        _ when prompt.Contains(Commands.Extra, StringComparison.Ordinal) =>
            """{"venue":"Living","device":"Lamp","value":"on","confidence":"high"}""",
        _ when prompt.Contains(Commands.LampOn, StringComparison.Ordinal) => """{"venue":"Living","device":"Lamp","value":"on"}""",
        _ when prompt.Contains(Commands.Ghost, StringComparison.Ordinal) => """{"venue":"Living","device":"Ghost","value":"on"}""",
        _ when prompt.Contains(Commands.LampSeven, StringComparison.Ordinal) => """{"venue":"Living","device":"Lamp","value":"7"}""",
        _ when prompt.Contains(Commands.Chatty, StringComparison.Ordinal) => "Sure! I have turned on the lamp in the living room for you.",
        _ => "I did not understand that.",
    };

    public ValueTask DisposeAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;
}

/// <summary>One request the fake received: where it was sent, to which model, with which key header, and the prompt.</summary>
public sealed record GeminiRequest(string PathAndQuery, string Model, string? ApiKeyHeader, string Prompt);
