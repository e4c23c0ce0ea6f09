using AuthApp.Testing;
using System.Security.Cryptography;
using System.Text.Json;
using AuthApp.Firebase.Credentials;
using AuthApp.Firebase.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using System.Collections.Concurrent;

namespace AuthApp.Firebase.Tests.Credentials;

public sealed class AccessTokenProviderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Emulator_mode_uses_the_owner_token_for_authentication()
    {
        using var host = FirebaseTestHost.Build(new Dictionary<string, string?> { ["Firebase:AuthEmulatorHost"] = "127.0.0.1:9099" });

        var token = await host.Services.GetRequiredService<IFirebaseAccessTokenProvider>().GetAccessTokenAsync(FirebaseApi.Authentication, Ct);

        Assert.Equal("owner", token);
    }

    [Fact]
    public async Task A_service_account_token_is_fetched_once_per_api_with_that_apis_scopes_and_then_cached()
    {
        // A generated service account whose token_uri is a local OAuth2 token endpoint.
        var assertions = new ConcurrentQueue<string>();
        await using var tokenServer = await LocalServer.StartAsync(app => app.MapPost("/token", async (HttpContext context) =>
        {
            var form = await context.Request.ReadFormAsync();
            assertions.Enqueue(form["assertion"].ToString());
            await context.Response.WriteAsJsonAsync(new { access_token = $"ya29.test-{assertions.Count}", expires_in = 3600, token_type = "Bearer" });
        }), TestContext.Current.CancellationToken);
        using var rsa = RSA.Create(2048);
        var json = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["type"] = "service_account",
            ["project_id"] = FirebaseTestHost.ProjectId,
            ["private_key_id"] = "test-key-id",
            ["private_key"] = rsa.ExportPkcs8PrivateKeyPem(),
            ["client_email"] = "firebase-adminsdk@demo-authapp.iam.gserviceaccount.com",
            ["client_id"] = "1234567890",
            ["token_uri"] = new Uri(tokenServer.BaseAddress, "token").ToString(),
        });
        using var host = FirebaseTestHost.Build(FirebaseTestHost.ProductionLike(("Firebase:CredentialsJson", json), ("Firebase:CredentialsFile", null)));
        var provider = host.Services.GetRequiredService<IFirebaseAccessTokenProvider>();

        var messaging1 = await provider.GetAccessTokenAsync(FirebaseApi.Messaging, Ct);
        var messaging2 = await provider.GetAccessTokenAsync(FirebaseApi.Messaging, Ct);
        var database = await provider.GetAccessTokenAsync(FirebaseApi.Database, Ct);

        Assert.Equal(messaging1, messaging2);
        Assert.NotEqual(messaging1, database);
        Assert.Equal(2, assertions.Count);
        var scopes = assertions.Select(a => IdTokens.DecodePayload(a)["scope"]!.GetValue<string>()).ToList();
        Assert.Equal("https://www.googleapis.com/auth/firebase.messaging", scopes[0]);
        Assert.Contains("https://www.googleapis.com/auth/firebase.database", scopes[1], StringComparison.Ordinal);
        Assert.Contains("https://www.googleapis.com/auth/userinfo.email", scopes[1], StringComparison.Ordinal);
    }
}
