using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using AuthApp.Tests.Infrastructure;

namespace AuthApp.Tests.Hosting;

/// <summary>
/// Readiness judges Firebase from the calls an API replica makes anyway, and compares notes with the other
/// replicas: a replica that alone cannot reach Firebase leaves the load balancer; when none can, all stay and
/// answer 503 with Retry-After quickly. Each test runs one more API process whose Firebase is a closed port.
/// </summary>
public sealed class ReadinessTests(AppHostFixture host)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_replica_that_cannot_reach_firebase_while_the_others_can_is_not_ready()
    {
        await using var api = await StartWithUnreachableFirebaseAsync(serviceName: "api");
        await GiveEveryAppHostReplicaAFirebaseAnswerAsync();
        using var client = api.CreateClient();

        for (var call = 0; call < 3; call++)
        {
            using var login = await LoginAsync(client);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, login.StatusCode);
        }

        // The other replicas' notes arrive through Redis every few seconds. The status is read from the very answer
        // that said 503: a second probe would judge the peers' next notes, not the same moment.
        string? status = null;
        await Eventually.TrueAsync(async () =>
        {
            using var health = await client.GetAsync("/health", Cancellation);
            status = (await health.Content.ReadFromJsonAsync<Dictionary<string, string>>(Cancellation))?["status"];
            return health.StatusCode == HttpStatusCode.ServiceUnavailable;
        }, () => $"/health stayed ready ({status}):\n{api.Output}", TimeSpan.FromSeconds(30));
        Assert.Equal("unhealthy", status);
        Assert.Equal("ok", await StatusOfAsync(client, "/alive"));
    }

    [Fact]
    public async Task When_no_replica_reaches_firebase_every_replica_stays_ready_and_answers_503_with_retry_after_within_2_s()
    {
        // A service of its own: no other replica reaches Firebase, as in an outage of Firebase itself.
        await using var api = await StartWithUnreachableFirebaseAsync(serviceName: $"api-outage-{Guid.NewGuid():N}");
        using var client = api.CreateClient();

        // Enough failed calls to open the Firebase client's circuit (10 attempts, each call tries 3 times).
        for (var call = 0; call < 5; call++)
        {
            using var login = await LoginAsync(client);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, login.StatusCode);
        }

        await Eventually.TrueAsync(async () => await StatusOfAsync(client, "/health") == "degraded",
            $"/health did not report degraded:\n{api.Output}", TimeSpan.FromSeconds(30));
        using (var health = await client.GetAsync("/health", Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        var elapsed = Stopwatch.StartNew();
        using var refused = await LoginAsync(client);
        elapsed.Stop();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(2), $"the 503 took {elapsed.Elapsed}");
    }

    private async Task<ApiProcess> StartWithUnreachableFirebaseAsync(string serviceName)
    {
        var closedPort = LoopbackPorts.Closed();
        var environment = await host.ProcessEnvironmentAsync();
        environment["OTEL_SERVICE_NAME"] = serviceName;
        environment["Firebase__AuthEmulatorHost"] = $"127.0.0.1:{closedPort}";
        environment["Firebase__DatabaseEmulatorHost"] = $"127.0.0.1:{closedPort}";
        environment["Firebase__RetryBaseDelay"] = "00:00:00.010";
        environment["Readiness__FailuresInARow"] = "3";
        environment["Readiness__PeerExchangeInterval"] = "00:00:00.500";
        // Every call of these tests comes from 127.0.0.1; the login limit is not what they are about.
        environment["RateLimiting__Login__PermitLimit"] = "1000";
        return await ApiProcess.StartAsync(environment);
    }

    /// <summary>A wrong password through each AppHost replica: Firebase answers (400), which is what "reaches it" means.</summary>
    private async Task GiveEveryAppHostReplicaAFirebaseAnswerAsync()
    {
        foreach (var replica in await host.CreateReplicaClientsAsync(host.NextClientAddress()))
        {
            using (replica)
            {
                using var login = await LoginAsync(replica);
                Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
            }
        }
    }

    private static Task<HttpResponseMessage> LoginAsync(HttpClient client) =>
        client.PostAsJsonAsync("/auth/login", new { email = ApiUsers.NewEmail("readiness"), password = "wrong-password" }, Cancellation);

    private static async Task<string?> StatusOfAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path, Cancellation);
        return (await response.Content.ReadFromJsonAsync<Dictionary<string, string>>(Cancellation))?["status"];
    }
}
