using System.Net;
using AuthApp.DatabaseEmulator.Tree;

namespace AuthApp.DatabaseEmulator.Auth;

/// <summary>
/// Who a REST request comes from. The admin credential is the one the official emulators accept and the project's
/// Firebase client sends them: <c>Authorization: Bearer owner</c> (or <c>?access_token=owner</c>). A user sends a
/// Firebase ID token as <c>?auth=</c> or <c>Authorization: Bearer</c>. No credentials: <c>auth</c> is null.
/// A credential that cannot be used is a 401, never a guess: a malformed or expired token, a header that is not
/// <c>Bearer</c>, another <c>access_token</c> (this emulator cannot check Google OAuth tokens), or more than one credential.
/// </summary>
internal static class RequestCredentials
{
    public const string AdminToken = "owner";

    public static Caller Identify(HttpRequest request, IdTokenCache tokens, long nowMs)
    {
        var header = request.Headers.Authorization;
        var auth = request.Query["auth"];
        var accessToken = request.Query["access_token"];
        var given = (header.Count > 0 ? 1 : 0) + (auth.Count > 0 ? 1 : 0) + (accessToken.Count > 0 ? 1 : 0);
        if (given > 1 || header.Count > 1 || auth.Count > 1 || accessToken.Count > 1)
        {
            throw Unauthorized("Unauthorized request: send one credential (Authorization, auth= or access_token=), not several.");
        }

        if (given == 0)
        {
            return Caller.Anonymous;
        }

        if (accessToken.Count == 1)
        {
            return accessToken.ToString() == AdminToken
                ? Caller.Admin
                : throw Unauthorized("Unauthorized request: this emulator accepts access_token=owner only.");
        }

        if (auth.Count == 1)
        {
            return User(tokens, auth.ToString(), nowMs);
        }

        var value = header.ToString();
        const string scheme = "Bearer ";
        if (!value.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || value.Length == scheme.Length)
        {
            throw Unauthorized("Unauthorized request: expected 'Authorization: Bearer <token>'.");
        }

        var token = value.AsSpan(scheme.Length).Trim();
        return token.SequenceEqual(AdminToken) ? Caller.Admin : User(tokens, token, nowMs);
    }

    private static Caller User(IdTokenCache tokens, ReadOnlySpan<char> token, long nowMs) => tokens.Read(token, nowMs, out DecodedToken decoded) switch
    {
        IdTokens.Failure.None => Caller.User(decoded),
        IdTokens.Failure.Expired => throw Unauthorized("Auth token is expired"),
        _ => throw Unauthorized("Could not parse auth token."),
    };

    private static RtdbException Unauthorized(string message) => new(HttpStatusCode.Unauthorized, message);
}
