using AuthApp.Api.RateLimiting;
using AuthApp.Api.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AuthApp.Api.Voice;

public static class VoiceEndpoints
{
    public static IEndpointRouteBuilder MapVoiceEndpoints(this IEndpointRouteBuilder app)
    {
        var voice = app.MapGroup("/auth")
            .WithTags("Voice")
            .RequireAuthorization(Policies.VerifiedAccess);

        voice.MapPost("/set_voice_key", SetKeyAsync)
            .WithName("SetVoiceKey")
            .WithSummary("Stores the user's Gemini API key (server-side only; never returned).");
        voice.MapGet("/voice_key_exists", KeyExistsAsync)
            .WithName("VoiceKeyExists")
            .WithSummary("Whether the user has stored a Gemini API key.");
        voice.MapPost("/voice_command", ApplyAsync)
            .RequireRateLimiting(RateLimitPolicies.Voice)
            .WithName("VoiceCommand")
            .WithSummary("Applies a natural-language command (English or Tamil) to one of the user's devices.")
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static async Task<Ok<MessageResponse>> SetKeyAsync(VoiceKeyRequest request, HttpContext context, VoiceService voice)
    {
        await voice.SetKeyAsync(context.User.Uid(), request.ApiKey!, context.RequestAborted);
        return TypedResults.Ok(new MessageResponse("Voice key saved"));
    }

    private static async Task<Ok<VoiceKeyExistsResponse>> KeyExistsAsync(HttpContext context, VoiceService voice) =>
        TypedResults.Ok(new VoiceKeyExistsResponse(await voice.KeyExistsAsync(context.User.Uid(), context.RequestAborted)));

    private static async Task<Ok<VoiceCommandResponse>> ApplyAsync(VoiceCommandRequest request, HttpContext context, VoiceService voice)
    {
        var intent = await voice.ApplyAsync(context.User.Uid(), request.Text!, context.RequestAborted);
        return TypedResults.Ok(new VoiceCommandResponse("Action applied", intent.Venue, intent.Device, intent.Value));
    }
}
