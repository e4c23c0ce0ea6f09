using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AuthApp.Testing;

/// <summary>
/// Plays Google's securetoken key discovery on loopback: the OpenID Connect metadata
/// (<see cref="MetadataAddress"/>, as <c>Firebase:IdTokenMetadataAddress</c>) and the JWKS it names, serving
/// whichever keys <see cref="Keys"/> holds at the time. Counts key fetches; can be made to fail.
/// </summary>
public sealed class SigningKeyServer : IAsyncDisposable
{
    private readonly string _issuer;
    private LocalServer? _server;
    private int _keyRequests;

    private SigningKeyServer(string projectId, SigningKey[] keys)
    {
        _issuer = "https://securetoken.google.com/" + projectId;
        Keys = keys;
    }

    public SigningKey[] Keys { get; set; }

    /// <summary>When false, both documents answer 503 (Google unreachable).</summary>
    public bool Available { get; set; } = true;

    /// <summary>How many times the JWKS was fetched.</summary>
    public int KeyRequests => Volatile.Read(ref _keyRequests);

    public Uri MetadataAddress => new(_server!.BaseAddress, ".well-known/openid-configuration");

    public static async Task<SigningKeyServer> StartAsync(string projectId, params SigningKey[] keys)
    {
        var server = new SigningKeyServer(projectId, keys);
        server._server = await LocalServer.StartAsync(app =>
        {
            app.MapGet("/.well-known/openid-configuration", (HttpContext context) => server.Available
                ? Results.Json(new JsonObject
                {
                    ["issuer"] = server._issuer,
                    ["jwks_uri"] = new Uri(server._server!.BaseAddress, "jwks").ToString(),
                    ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
                })
                : Results.StatusCode(StatusCodes.Status503ServiceUnavailable));
            app.MapGet("/jwks", () =>
            {
                Interlocked.Increment(ref server._keyRequests);
                return server.Available
                    ? Results.Json(new JsonObject { ["keys"] = new JsonArray([.. server.Keys.Select(key => (JsonNode)key.Jwk())]) })
                    : Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
            });
        });
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
