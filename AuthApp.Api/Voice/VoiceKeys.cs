using AuthApp.Api.Errors;

namespace AuthApp.Api.Voice;

/// <summary>
/// What a Gemini API key may hold. The key is sent to Google in the <c>x-goog-api-key</c> header (and Google's own
/// clients put it in a URL's <c>?key=</c>): a line break or NUL in it makes <see cref="HttpRequestMessage"/> refuse
/// the header (a <see cref="FormatException"/>, which would be a 500 on every voice command), and a character outside
/// ASCII is refused by the HTTP client when the request is sent. Google's keys are visible ASCII (<c>AIza</c> and 35
/// letters, digits, <c>-</c> and <c>_</c>); anything else cannot be a key, so it is refused when it is set and, if a
/// client or an operator stored one straight into the database, never sent.
/// </summary>
public static class VoiceKeys
{
    public const int MinLength = 10;

    public const int MaxLength = 512;

    /// <summary>The rule, as the validation message and the problem state it.</summary>
    public const string Rule = "10 to 512 visible ASCII characters (no spaces, line breaks, control or non-ASCII characters)";

    /// <summary>The key as it is stored and sent: the text the client gave, without surrounding whitespace.</summary>
    public static string Normalize(string key) => key.Trim();

    /// <summary>True when <paramref name="key"/> (already normalized) can travel in an HTTP header as the Gemini client sends it.</summary>
    public static bool IsSendable([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? key)
    {
        if (key is null || key.Length is < MinLength or > MaxLength)
        {
            return false;
        }

        foreach (var character in key)
        {
            // Visible ASCII: '!' (0x21) to '~' (0x7E). Excludes space, every control character (CR, LF, NUL, DEL) and
            // everything past ASCII, lone surrogates included.
            if (character is < '!' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A stored key that cannot be sent: the user is asked to set it again, as for a key Gemini rejects.</summary>
    public static AppError StoredKeyUnusable() => AppError.BadRequest(
        ProblemCodes.InvalidVoiceKey, $"The stored Gemini API key cannot be used (an API key is {Rule}); set it again with /auth/set_voice_key.");

    /// <summary>A key Gemini itself refuses: the user is asked to set a valid one.</summary>
    public static AppError Rejected() => AppError.BadRequest(ProblemCodes.InvalidVoiceKey, "The stored Gemini API key was rejected; set a valid key.");
}
