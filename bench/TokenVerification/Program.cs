// ID-token verifications per second on one core: RS256 (2048-bit), keys cached, claims checked.
// Run: dotnet run -c Release --project bench/TokenVerification [-- seconds]
using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
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
var certificate = new CertificateRequest("CN=bench", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
    .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
var keysJson = JsonSerializer.Serialize(new Dictionary<string, string> { ["bench-key"] = certificate.ExportCertificatePem() });

var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production" });
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Firebase:ProjectId"] = "bench-project",
    ["Firebase:ApiKey"] = "unused",
    ["Firebase:CredentialsFile"] = "/unused.json",
});
builder.Services.AddLogging();
// The certificate endpoint is answered in-process; only the first verification fetches it.
builder.Services.ConfigureHttpClientDefaults(http => http.ConfigurePrimaryHttpMessageHandler(() => new CertificatesHandler(keysJson)));
builder.AddFirebase();
using var host = builder.Build();
var verifier = host.Services.GetRequiredService<FirebaseIdTokenVerifier>();

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

var first = await verifier.VerifyIdTokenAsync(token);
if (first.Uid != "bench-user-0123456789")
{
    throw new InvalidOperationException("verification returned the wrong uid");
}

Run(TimeSpan.FromSeconds(2)); // warm up (tiered JIT, PGO)
var (count, elapsed, allocated) = Run(TimeSpan.FromSeconds(seconds));

Console.WriteLine($".NET {Environment.Version}, {RuntimeInformationText()}, affinity: 1 core");
Console.WriteLine($"RS256 ID-token verification (2048-bit key, cached, claims checked), {elapsed.TotalSeconds:F1} s:");
Console.WriteLine($"  {count / elapsed.TotalSeconds:N0} verifications/s on one core ({elapsed.TotalMicroseconds / count:F1} µs each, {allocated / count:N0} B allocated each)");
return 0;

(long Count, TimeSpan Elapsed, long Allocated) Run(TimeSpan duration)
{
    long n = 0;
    var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
    var clock = Stopwatch.StartNew();
    while (clock.Elapsed < duration)
    {
        for (var i = 0; i < 256; i++)
        {
            var task = verifier.VerifyIdTokenAsync(token);
            if (!task.IsCompletedSuccessfully)
            {
                throw new InvalidOperationException("cached verification went asynchronous");
            }
        }

        n += 256;
    }

    clock.Stop();
    return (n, clock.Elapsed, GC.GetAllocatedBytesForCurrentThread() - allocatedBefore);
}

static string Encode(JsonNode node) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(node.ToJsonString()));

static string RuntimeInformationText() =>
    $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription.Trim()}, {Environment.ProcessorCount} logical CPUs";

internal sealed class CertificatesHandler(string json) : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        response.Headers.CacheControl = new System.Net.Http.Headers.CacheControlHeaderValue { Public = true, MaxAge = TimeSpan.FromHours(6) };
        return Task.FromResult(response);
    }
}
