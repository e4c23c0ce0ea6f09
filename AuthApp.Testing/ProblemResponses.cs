using Xunit;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace AuthApp.Testing;

public static class ProblemResponses
{
    /// <summary>
    /// Asserts that <paramref name="response"/> is a problem with <paramref name="status"/> carrying the
    /// API's <c>code</c> and the original's <c>error</c> message, and returns its body.
    /// </summary>
    public static async Task<JsonObject> ReadProblemAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!.AsObject();
        Assert.Equal((int)status, (int?)problem["status"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["code"]), "the problem has no code");
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["error"]), "the problem has no error message");
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["traceId"]), "the problem has no trace id");
        return problem;
    }

    /// <summary>As <see cref="ReadProblemAsync"/>, and the problem's <c>code</c> is <paramref name="code"/>.</summary>
    public static async Task<JsonObject> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var problem = await response.ReadProblemAsync(status);
        Assert.Equal(code, (string?)problem["code"]);
        return problem;
    }

    /// <summary>A JSON body exactly as written, for requests a serializer would not produce.</summary>
    public static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
