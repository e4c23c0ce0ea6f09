using System.Net;
using System.Text.Json.Nodes;
using CsCheck;
using Microsoft.Extensions.Logging;

namespace AuthApp.Api.Tests.Errors;

/// <summary>
/// Whatever a client says it accepts, a failure is answered with its problem (4xx, <c>code</c>): a client that asks
/// for an event stream or an image and sends no token gets a 401, not a 500 because no writer "can" answer it.
/// </summary>
public sealed class AcceptHeaderTests(ApiDependencies dependencies)
{
    private static readonly string[] Accepted = ["text/event-stream", "image/png", "text/html", "application/xml", "*/*;q=0", "application/json;q=0", "text/plain"];

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_failure_is_a_problem_whatever_the_client_accepts()
    {
        var api = dependencies.SharedApi;
        using var client = api.CreateClient(idToken: null);
        var accept = Gen.Int[0, Accepted.Length - 1].Select(i => Accepted[i])
            .Array[1, 3].Select(values => string.Join(", ", values));
        await accept.SampleAsync(async header =>
        {
            foreach (var (method, path) in new[] { (HttpMethod.Get, "/auth/events"), (HttpMethod.Get, "/auth/profile"), (HttpMethod.Post, "/auth/login") })
            {
                using var request = new HttpRequestMessage(method, path);
                request.Headers.TryAddWithoutValidation("Accept", header);
                using var response = await client.SendAsync(request, Cancellation);
                Assert.True((int)response.StatusCode is >= 400 and < 500, $"{method} {path} with Accept: {header} answered {(int)response.StatusCode}");
                var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancellation));
                Assert.NotNull(problem?["code"]);
            }
        }, iter: PropertyRuns.Iterations(20), threads: 1);

        Assert.DoesNotContain(api.Logs.AtLeast(LogLevel.Error), log => log.Message.Contains("IProblemDetailsWriter", StringComparison.Ordinal));
    }
}
