using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AuthApp.DatabaseEmulator;
using AuthApp.Firebase.Database;

namespace AuthApp.Firebase.Tests.Database;

/// <summary>
/// What the local emulator answers on the wire, checked with a plain HttpClient (RTDB's own texts and statuses).
/// The fixture's emulator judges requests by its rules file, so the client sends the admin credential, as the server does.
/// </summary>
public sealed class DatabaseEmulatorProtocolTests(ContractDatabase fixture) : IDisposable
{
    private readonly HttpClient _http = new()
    {
        BaseAddress = new Uri($"http://{fixture.Host}"),
        DefaultRequestHeaders = { Authorization = new("Bearer", OwnerTokenProvider.Token) },
    };
    private readonly string _ns = DatabaseEmulatorFixture.NewNamespace();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Bad_json_is_a_400_with_rtdbs_message()
    {
        var response = await SendAsync(HttpMethod.Put, "x.json", "{bad");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Invalid data; couldn't parse JSON object, array, or value.", await ErrorAsync(response));
    }

    [Fact]
    public async Task Invalid_keys_in_data_are_a_400()
    {
        var response = await SendAsync(HttpMethod.Put, "x.json", """{"a.b": 1}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("Invalid data; couldn't parse key beginning at", await ErrorAsync(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_parameters_without_orderBy_or_with_a_bare_orderBy_are_refused()
    {
        Assert.SkipWhen(fixture.IsExternal, "Emulator-specific wire texts.");

        var noOrder = await SendAsync(HttpMethod.Get, "x.json?limitToFirst=1");
        var bare = await SendAsync(HttpMethod.Get, "x.json?orderBy=name");
        var bothLimits = await SendAsync(HttpMethod.Get, "x.json?orderBy=%22%24key%22&limitToFirst=1&limitToLast=1");

        Assert.Equal("orderBy must be defined when other query parameters are defined", await ErrorAsync(noOrder));
        Assert.Equal("orderBy must be a valid JSON encoded path", await ErrorAsync(bare));
        Assert.Equal(HttpStatusCode.BadRequest, bothLimits.StatusCode);
    }

    [Fact]
    public async Task Paths_without_json_suffix_are_not_found_and_the_health_probe_answers()
    {
        Assert.SkipWhen(fixture.IsExternal, "Emulator-specific endpoints.");

        var noSuffix = await SendAsync(HttpMethod.Get, "users");
        var health = await _http.GetAsync(DatabaseEmulatorApp.HealthPath, Ct);

        Assert.Equal(HttpStatusCode.NotFound, noSuffix.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("""{"status":"ok"}""", await health.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Put_returns_the_written_data_post_returns_the_name_and_silent_returns_204()
    {
        var put = await SendAsync(HttpMethod.Put, "x.json", """{"a":1,"e":{}}""");
        var post = await SendAsync(HttpMethod.Post, "list.json", "\"v\"");
        var silent = await SendAsync(HttpMethod.Put, "x.json?print=silent", "2");
        var pretty = await SendAsync(HttpMethod.Get, "x.json?print=pretty");

        Assert.Equal("""{"a":1}""", await put.Content.ReadAsStringAsync(Ct));
        Assert.Matches("^\\{\"name\":\"-[-0-9A-Za-z_]{19}\"\\}$", await post.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.NoContent, silent.StatusCode);
        Assert.Equal("2", await pretty.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Etag_of_an_empty_location_is_null_etag_and_412_carries_the_current_value()
    {
        var empty = await SendAsync(HttpMethod.Get, "x.json", etag: true);
        await SendAsync(HttpMethod.Put, "x.json", "\"now\"");
        var refused = await SendAsync(HttpMethod.Put, "x.json", "\"other\"", ifMatch: "null_etag");

        Assert.Equal("null_etag", empty.Headers.ETag?.Tag ?? empty.Headers.GetValues("ETag").Single());
        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
        Assert.Equal("\"now\"", await refused.Content.ReadAsStringAsync(Ct));
        Assert.NotEqual("null_etag", refused.Headers.GetValues("ETag").Single());
    }

    [Fact]
    public async Task Multi_path_patch_with_overlapping_paths_is_refused()
    {
        var response = await SendAsync(HttpMethod.Patch, "x.json", """{"a":1,"a/b":2}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Keys_sort_numerically_first_then_as_strings()
    {
        Assert.SkipWhen(fixture.IsExternal, "Emulator-specific output order.");
        await SendAsync(HttpMethod.Put, "k.json", """{"b":1,"10":1,"9":1,"a":1,"-1":1,"09":1}""");

        var body = await (await SendAsync(HttpMethod.Get, "k.json")).Content.ReadAsStringAsync(Ct);

        Assert.Equal("""{"-1":1,"9":1,"10":1,"09":1,"a":1,"b":1}""", body);
    }

    [Fact]
    public async Task The_owner_bearer_token_is_accepted()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"x.json?ns={_ns}");
        request.Headers.Authorization = new("Bearer", "owner");

        var response = await _http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Data_survives_a_restart_when_persistence_is_configured()
    {
        var dir = Directory.CreateTempSubdirectory("rtdb-persist-");
        try
        {
            var file = Path.Combine(dir.FullName, "data.json");
            string[] args = [$"--Persistence:Path={file}", "--Persistence:DebounceMilliseconds=10"];
            var ns = DatabaseEmulatorFixture.NewNamespace();

            await using (var first = await DatabaseEmulatorFixture.StartAsync(null, args))
            {
                using var scope = DatabaseClientScope.Create(DatabaseEmulatorFixture.HostOf(first), ns);
                await scope.Database.SetAsync("users/u1", JsonNode.Parse("""{"name":"A","venues":["x","y"]}"""), Ct);
                await first.StopAsync(Ct);
            }

            Assert.True(File.Exists(file));
            await using var second = await DatabaseEmulatorFixture.StartAsync(null, args);
            using var again = DatabaseClientScope.Create(DatabaseEmulatorFixture.HostOf(second), ns);
            var read = await again.Database.GetAsync("users/u1", cancellationToken: Ct);
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"name":"A","venues":["x","y"]}"""), read), read?.ToJsonString());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_product_rules_index_users_by_email_only()
    {
        var rules = Path.Combine(AppContext.BaseDirectory, "Database", "product.rules.json");
        await using var app = await DatabaseEmulatorFixture.StartAsync(null, $"--Rules:Path={rules}");
        using var scope = DatabaseClientScope.Create(DatabaseEmulatorFixture.HostOf(app), DatabaseEmulatorFixture.NewNamespace());
        await scope.Database.SetAsync("users/u1", JsonNode.Parse("""{"email":"a@example.com","name":"A"}"""), Ct);

        var byEmail = await scope.Database.GetAsync("users", DatabaseQuery.OrderByChild("email") with { EqualTo = "a@example.com" }, Ct);
        var byName = await Assert.ThrowsAsync<DatabaseException>(() =>
            scope.Database.GetAsync("users", DatabaseQuery.OrderByChild("name") with { EqualTo = "A" }, Ct));
        var dueByKey = await scope.Database.GetAsync("scheduleIndex", DatabaseQuery.OrderByKey() with { EndAt = "202601010700" }, Ct);

        Assert.Equal(["u1"], ((JsonObject)byEmail!).Select(p => p.Key));
        Assert.Equal(DatabaseErrorKind.IndexNotDefined, byName.Kind);
        Assert.Equal(("/users", "name"), (byName.IndexPath, byName.IndexField));
        Assert.Equal("Index not defined, add \".indexOn\": \"name\", for path \"/users\", to the rules", byName.ServerError);
        Assert.Null(dueByKey);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? body = null, bool etag = false, string? ifMatch = null)
    {
        var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        using var request = new HttpRequestMessage(method, $"{path}{separator}ns={_ns}");
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (etag)
        {
            request.Headers.Add("X-Firebase-ETag", "true");
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("if-match", ifMatch);
        }

        return await _http.SendAsync(request, Ct);
    }

    private static async Task<string?> ErrorAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))?["error"]?.GetValue<string>();
}
