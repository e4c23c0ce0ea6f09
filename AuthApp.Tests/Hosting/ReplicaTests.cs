using System.Net;
using System.Net.Http.Json;
using AuthApp.Tests.Infrastructure;
using static AuthApp.Testing.ProblemResponses;

namespace AuthApp.Tests.Hosting;

/// <summary>
/// The AppHost's two API replicas are one service: their limits are counted in the one Redis the AppHost gives
/// them, with the limits the API ships with. (Which limits count what is AuthApp.Api.Tests'.)
/// </summary>
public sealed class ReplicaTests(AppHostFixture host)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Login_is_refused_after_five_attempts_from_one_address_whichever_replica_answers()
    {
        var replicas = await host.CreateReplicaClientsAsync(host.NextClientAddress());
        Assert.Equal(2, replicas.Count);

        var statuses = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < 6; attempt++)
        {
            // Alternate replicas, and a different account each time so only the address limit applies.
            using var response = await replicas[attempt % 2].PostAsJsonAsync("/auth/login",
                new { email = ApiUsers.NewEmail(), password = "wrong-password" }, Cancellation);
            statuses.Add(response.StatusCode);
            if (attempt == 5)
            {
                await AssertProblemAsync(response, HttpStatusCode.TooManyRequests, "rate_limited");
                Assert.InRange(response.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
            }
        }

        Assert.All(statuses.Take(5), status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[5]);
        replicas.ToList().ForEach(client => client.Dispose());
    }
}
