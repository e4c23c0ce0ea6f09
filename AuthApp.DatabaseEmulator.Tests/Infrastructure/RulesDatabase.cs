using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace AuthApp.DatabaseEmulator.Tests.Infrastructure;

/// <summary>What the database answered: the status and the body as text (and as JSON when it is JSON).</summary>
public sealed record Reply(HttpStatusCode Status, string Body)
{
    public JsonNode? Json => JsonNode.Parse(Body);

    public string? Error => Json?["error"]?.GetValue<string>();

    public override string ToString() => $"{(int)Status} {Body}";
}

/// <summary>One namespace of the database under test, spoken to over REST as a given <see cref="Identity"/>.</summary>
public sealed class RulesDatabase(HttpClient http, string ns, TimeProvider clock)
{
    public string Namespace { get; } = ns;

    public TimeProvider Clock { get; } = clock;

    public Identity User(string uid) => Identity.User(uid, Clock);

    public Task<Reply> GetAsync(Identity who, string path, string query = "") => SendAsync(HttpMethod.Get, who, path, null, query);

    public Task<Reply> PutAsync(Identity who, string path, string json) => SendAsync(HttpMethod.Put, who, path, json);

    public Task<Reply> PatchAsync(Identity who, string path, string json) => SendAsync(HttpMethod.Patch, who, path, json);

    public Task<Reply> PostAsync(Identity who, string path, string json) => SendAsync(HttpMethod.Post, who, path, json);

    public Task<Reply> DeleteAsync(Identity who, string path) => SendAsync(HttpMethod.Delete, who, path, null);

    /// <summary>Writes as the admin (bypassing the rules) and requires success.</summary>
    public async Task SeedAsync(string path, string json)
    {
        var reply = await PutAsync(Identity.Admin, path, json);
        Assert.True(reply.Status == HttpStatusCode.OK, $"seeding {path}: {reply}");
    }

    /// <summary>Reads as the admin: what is really stored.</summary>
    public async Task<JsonNode?> ReadAsync(string path)
    {
        var reply = await GetAsync(Identity.Admin, path);
        Assert.True(reply.Status == HttpStatusCode.OK, $"reading {path}: {reply}");
        return reply.Json;
    }

    public async Task SetRulesAsync(string rules)
    {
        var reply = await SendRawAsync(HttpMethod.Put, Identity.Admin, "/.settings/rules.json", rules, "");
        Assert.True(reply.Status == HttpStatusCode.OK, $"loading rules: {reply}");
    }

    public Task<Reply> SendAsync(HttpMethod method, Identity who, string path, string? json, string query = "") =>
        SendRawAsync(method, who, $"/{path.Trim('/')}.json", json, query);

    public async Task<Reply> SendRawAsync(HttpMethod method, Identity who, string path, string? body, string query)
    {
        // Absolute, so that a path starting with "//" stays a path (a relative "//x" would name a host).
        var uri = new StringBuilder(http.BaseAddress!.GetLeftPart(UriPartial.Authority)).Append(path).Append("?ns=").Append(Namespace);
        if (who.AuthParameter is not null)
        {
            uri.Append("&auth=").Append(Uri.EscapeDataString(who.AuthParameter));
        }

        if (query.Length > 0)
        {
            uri.Append('&').Append(query.TrimStart('&', '?'));
        }

        using var request = new HttpRequestMessage(method, uri.ToString());
        if (who.BearerToken is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {who.BearerToken}");
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        return new Reply(response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }
}
