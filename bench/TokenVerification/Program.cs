// ID-token verifications per second on one core, as the API's bearer scheme runs them: the library's
// FirebaseIdTokenHandler (Microsoft.IdentityModel's JsonWebTokenHandler + Firebase's rules) with Google-shaped
// RS256 keys already fetched (served in-process). Two figures:
//   warm: a token seen before, answered from the bounded cache of verified tokens (the steady state: a client
//         sends the same token for up to an hour);
//   cold: every verification does the RSA check and the claims (the cache turned off).
// Run: dotnet run -c Release --project bench/TokenVerification [-- seconds]
using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AuthApp.Firebase.Authentication;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var seconds = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5;

// One core: pin the process, and verify on the main thread only.
if (OperatingSystem.IsLinux() || OperatingSystem.IsWindows())
{
    Process.GetCurrentProcess().ProcessorAffinity = 1;
}

using var rsa = RSA.Create(2048);
var parameters = rsa.ExportParameters(false);
var jwks = new JsonObject
{
    ["keys"] = new JsonArray(new JsonObject
    {
        ["kty"] = "RSA", ["alg"] = "RS256", ["use"] = "sig", ["kid"] = "bench-key",
        ["n"] = Base64Url.EncodeToString(parameters.Modulus), ["e"] = Base64Url.EncodeToString(parameters.Exponent),
    }),
}.ToJsonString();

var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
var header = Encode(new JsonObject { ["alg"] = "RS256", ["kid"] = "bench-key", ["typ"] = "JWT" });
var payload = Encode(new JsonObject
{
    ["iss"] = "https://securetoken.google.com/bench-project",
    ["aud"] = "bench-project",
    ["auth_time"] = now - 60,
    ["user_id"] = "bench-user-0123456789",
    ["sub"] = "bench-user-0123456789",
    ["iat"] = now - 60,
    ["exp"] = now + 3540,
    ["email"] = "bench@example.com",
    ["email_verified"] = true,
    ["firebase"] = new JsonObject { ["identities"] = new JsonObject { ["email"] = new JsonArray("bench@example.com") }, ["sign_in_provider"] = "password" },
});
var signed = header + "." + payload;
var token = signed + "." + Base64Url.EncodeToString(rsa.SignData(Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

Console.WriteLine($".NET {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription.Trim()}, {Environment.ProcessorCount} logical CPUs, affinity: 1 core");
Console.WriteLine($"RS256 ID tokens (2048-bit key, keys fetched, every Firebase rule checked), {seconds:F1} s per case after 2 s of warm-up:");
await MeasureAsync("warm (token seen before: bounded cache of verified tokens)", cacheSize: 4096);
await MeasureAsync("cold (every verification: RSA signature and claims)", cacheSize: 0);
return 0;

async Task MeasureAsync(string label, int cacheSize)
{
    var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Development" });
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Firebase:ProjectId"] = "bench-project",
        ["Firebase:ApiKey"] = "unused",
        ["Firebase:CredentialsFile"] = "/unused.json",
        ["Firebase:IdTokenMetadataAddress"] = "http://127.0.0.1:9/.well-known/openid-configuration",
        ["Firebase:VerifiedTokenCacheSize"] = cacheSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });
    builder.Services.AddLogging();
    // Google's discovery document and keys are answered in-process; only the first verification fetches them.
    builder.Services.ConfigureHttpClientDefaults(http => http.ConfigurePrimaryHttpMessageHandler(() => new KeysHandler(jwks)));
    builder.AddFirebase();
    using var host = builder.Build();
    var validation = host.Services.GetRequiredService<FirebaseIdTokenValidation>();

    var first = await validation.Handler.ValidateTokenAsync(token, validation.Parameters);
    if (!first.IsValid)
    {
        throw new InvalidOperationException("the bench token does not verify", first.Exception);
    }

    await RunAsync(TimeSpan.FromSeconds(2)); // warm up (tiered JIT, PGO)
    var (count, elapsed, allocated) = await RunAsync(TimeSpan.FromSeconds(seconds));
    Console.WriteLine($"  {label}: {count / elapsed.TotalSeconds:N0} verifications/s ({elapsed.TotalMicroseconds / count:F2} µs each, {allocated / count:N0} B allocated each)");

    async Task<(long Count, TimeSpan Elapsed, long Allocated)> RunAsync(TimeSpan duration)
    {
        long n = 0;
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            for (var i = 0; i < 256; i++)
            {
                var result = await validation.Handler.ValidateTokenAsync(token, validation.Parameters);
                if (!result.IsValid)
                {
                    throw new InvalidOperationException("verification failed", result.Exception);
                }
            }

            n += 256;
        }

        clock.Stop();
        return (n, clock.Elapsed, GC.GetAllocatedBytesForCurrentThread() - allocatedBefore);
    }
}

static string Encode(JsonNode node) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(node.ToJsonString()));

internal sealed class KeysHandler(string jwks) : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.RequestUri!.AbsolutePath.EndsWith("openid-configuration", StringComparison.Ordinal)
            ? new JsonObject { ["issuer"] = "https://securetoken.google.com/bench-project", ["jwks_uri"] = "http://127.0.0.1:9/jwks" }.ToJsonString()
            : jwks;
        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
    }
}
