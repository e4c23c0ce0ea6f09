using System.ComponentModel.DataAnnotations;
using AuthApp.Api.Users;

namespace AuthApp.Api.Voice;

/// <param name="ApiKey">The user's Gemini key: stored trimmed, refused (400, nothing written) unless it can be sent (<see cref="VoiceKeys"/>).</param>
public sealed record VoiceKeyRequest([property: Required, StringLength(VoiceKeys.MaxLength, MinimumLength = VoiceKeys.MinLength), GeminiApiKey] string? ApiKey);

public sealed record VoiceKeyExistsResponse(bool Exists);

public sealed record VoiceCommandRequest([property: Required, StringLength(500, MinimumLength = 1)] string? Text);

public sealed record VoiceCommandResponse(string Message, string Venue, string Device, string Value);

/// <summary>What the model says the user asked for, before it is checked against the user's real devices.</summary>
public sealed record VoiceIntent(string Venue, string Device, string Value);

/// <summary>The user's venues and their devices with current states: the model's context.</summary>
public sealed record VoiceContext(IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Venues);

public sealed class VoiceOptions
{
    public const string SectionName = "Voice";

    [Required]
    public Uri GeminiBaseUrl { get; set; } = new("https://generativelanguage.googleapis.com");

    [Required, RegularExpression("^[A-Za-z0-9._-]+$")]
    public string Model { get; set; } = "gemini-2.0-flash";
}
