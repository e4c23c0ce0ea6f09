using System.Buffers.Text;
using System.Net.Http.Headers;
using System.Text.Json;
using AuthApp.Firebase;
using AuthApp.Firebase.Credentials;
using AuthApp.Firebase.Database;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

/// <summary>Database clients wired by <c>AddFirebase()</c>, one per namespace and credential.</summary>
internal static class BenchClients
{
    public const string OwnerToken = "owner";

    /// <summary>A host whose <see cref="IFirebaseDatabase"/> talks to namespace <paramref name="ns"/> sending <paramref name="token"/>.</summary>
    public static IHost Create(string emulatorHost, string? ns, string token)
    {
        // Development: the Firebase options refuse emulators in Production, and want an API key.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Development, Args = ["--Logging:LogLevel:Default=Warning"] });
        builder.Configuration["Firebase:ProjectId"] = "demo-authapp";
        builder.Configuration["Firebase:ApiKey"] = "bench";
        builder.Configuration["Firebase:DatabaseEmulatorHost"] = emulatorHost;
        if (ns is not null)
        {
            builder.Configuration["Firebase:DatabaseUrl"] = $"https://{ns}.firebaseio.com";
        }

        builder.Services.AddSingleton<IFirebaseAccessTokenProvider>(new FixedToken(token));
        builder.AddFirebase();
        return builder.Build();
    }

    /// <summary>An ID token as the Auth emulator issues them (unsigned), valid for an hour.</summary>
    public static string UserToken(string uid)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = JsonSerializer.SerializeToUtf8Bytes(new { alg = "none", typ = "JWT" });
        var payload = JsonSerializer.SerializeToUtf8Bytes(new
        {
            iss = "https://securetoken.google.com/demo-authapp",
            aud = "demo-authapp",
            sub = uid,
            user_id = uid,
            iat = now,
            exp = now + 3600,
            firebase = new { sign_in_provider = "password" },
        });
        return $"{Base64Url.EncodeToString(header)}.{Base64Url.EncodeToString(payload)}.";
    }

    /// <summary>Loads rules into a namespace the way the official emulator takes them.</summary>
    public static async Task LoadRulesAsync(string emulatorHost, string ns, string rulesPath)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Put, $"http://{emulatorHost}/.settings/rules.json?ns={ns}")
        {
            Content = new StringContent(await File.ReadAllTextAsync(rulesPath)),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", OwnerToken);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The repository's <c>firebase/database.rules.json</c>, found above the current directory or the binaries.</summary>
    public static string ProductRules()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var rules = Path.Combine(dir.FullName, "firebase", "database.rules.json");
                if (File.Exists(Path.Combine(dir.FullName, "AuthApp.sln")) && File.Exists(rules))
                {
                    return rules;
                }
            }
        }

        throw new FileNotFoundException("firebase/database.rules.json not found above the current directory; pass --rules <path>.");
    }

    private sealed class FixedToken(string token) : IFirebaseAccessTokenProvider
    {
        public ValueTask<string> GetAccessTokenAsync(FirebaseApi api, CancellationToken cancellationToken) => ValueTask.FromResult(token);
    }
}
