using System.Buffers.Text;
using System.Text.Json;
using AuthApp.DatabaseEmulator.Rules.Expressions;

namespace AuthApp.DatabaseEmulator.Auth;

/// <summary>
/// Reads a Firebase ID token the way the official emulators do: the payload is decoded and trusted, the signature is
/// not checked (the Auth emulator issues unsigned <c>alg: none</c> tokens; signed ones are decoded the same way).
/// The token must still be a well-formed JWT (three base64url parts, a JSON object header and payload) whose
/// payload has a non-empty string <c>sub</c> and a numeric <c>exp</c> that is not past. Any failure is a refusal,
/// never an exception: tokens are hostile input.
/// </summary>
/// <summary>A token's <c>auth</c> and its <c>exp</c> in milliseconds.</summary>
internal readonly record struct DecodedToken(RuleValue Auth, double ExpiresAtMs)
{
    public bool IsExpiredAt(long nowMs) => ExpiresAtMs <= nowMs;
}

internal static class IdTokens
{
    public const int MaxLength = 8192;
    private const int MaxUidLength = 128;

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 16 };

    public enum Failure
    {
        None,
        Malformed,
        Expired,
    }

    /// <summary>Decodes <paramref name="token"/> and checks that it has not expired at <paramref name="nowMs"/>.</summary>
    public static Failure TryDecode(string token, long nowMs, out RuleValue auth)
    {
        if (!TryDecode(token, out var decoded))
        {
            auth = RuleValue.Null;
            return Failure.Malformed;
        }

        auth = decoded.Auth;
        return decoded.IsExpiredAt(nowMs) ? Failure.Expired : Failure.None;
    }

    /// <summary>Builds the rules' <c>auth</c>: <c>{uid: sub, provider, token: {every claim}}</c>, and when it expires.</summary>
    public static bool TryDecode(string token, out DecodedToken decoded)
    {
        decoded = default;
        var parts = token.Length is > 0 and <= MaxLength ? token.Split('.') : [];
        if (parts.Length != 3)
        {
            return false;
        }

        try
        {
            if (Decode(parts[0]) is not { Kind: ValueKind.Map } || Decode(parts[1]) is not { Kind: ValueKind.Map } payload)
            {
                return false;
            }

            var claims = payload.Map;
            if (!claims.TryGetValue("sub", out var sub) || sub.Kind != ValueKind.String || sub.String.Length is 0 or > MaxUidLength
                || !claims.TryGetValue("exp", out var exp) || exp.Kind != ValueKind.Number)
            {
                return false;
            }

            var auth = RuleValue.FromMap(new Dictionary<string, RuleValue>(StringComparer.Ordinal)
            {
                ["uid"] = sub,
                ["provider"] = Provider(claims),
                ["token"] = payload,
            });
            decoded = new DecodedToken(auth, exp.Number * 1000);
            return true;
        }
        catch (Exception ex) when (ex is FormatException or JsonException or InvalidOperationException or ArgumentException)
        {
            // Bad base64url, bad JSON, or a string that is not valid UTF-16 (a lone surrogate escape).
            return false;
        }
    }

    /// <summary>The docs' <c>auth.provider</c> ("password", "anonymous", "google", ...) from <c>firebase.sign_in_provider</c>.</summary>
    private static RuleValue Provider(IReadOnlyDictionary<string, RuleValue> claims)
    {
        if (claims.TryGetValue("firebase", out var firebase) && firebase.Kind == ValueKind.Map
            && firebase.Map.TryGetValue("sign_in_provider", out var provider) && provider.Kind == ValueKind.String)
        {
            var name = provider.String;
            return RuleValue.From(name.EndsWith(".com", StringComparison.Ordinal) ? name[..^".com".Length] : name);
        }

        return RuleValue.Null;
    }

    private static RuleValue Decode(string segment)
    {
        if (!Base64Url.IsValid(segment))
        {
            return RuleValue.Null;
        }

        using var document = JsonDocument.Parse(Base64Url.DecodeFromChars(segment), Options);
        return ToValue(document.RootElement);
    }

    private static RuleValue ToValue(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var fields = new Dictionary<string, RuleValue>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    if (!fields.TryAdd(property.Name, ToValue(property.Value)))
                    {
                        throw new FormatException("a claim appears twice");
                    }
                }

                return RuleValue.FromMap(fields);
            case JsonValueKind.Array:
                return RuleValue.FromList([.. element.EnumerateArray().Select(ToValue)]);
            case JsonValueKind.String:
                return RuleValue.From(element.GetString()!);
            case JsonValueKind.Number:
                return element.TryGetDouble(out var number) && double.IsFinite(number)
                    ? RuleValue.From(number)
                    : throw new FormatException("a number out of range");
            case JsonValueKind.True:
                return RuleValue.True;
            case JsonValueKind.False:
                return RuleValue.False;
            default:
                return RuleValue.Null;
        }
    }
}
