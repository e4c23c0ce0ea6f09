using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AuthApp.Firebase.Credentials;
using AuthApp.Firebase.Database;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace AuthApp.Firebase.Tests.Database;

/// <summary>Retries, timeouts and error mapping, against a scripted server (no emulator needed).</summary>
public sealed class DatabaseClientResilienceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_conditional_write_is_not_retried_after_a_server_error_even_when_the_host_adds_the_standard_resilience_handler()
    {
        var server = new ScriptedServer(_ => Respond(HttpStatusCode.InternalServerError, """{"error":"boom"}"""));
        using var scope = Create(server, hostDefaults: true);

        var error = await Assert.ThrowsAsync<DatabaseException>(() => scope.Database.SetIfMatchAsync("x", 1, "etag", Ct));

        Assert.Equal(DatabaseErrorKind.Unavailable, error.Kind);
        Assert.Equal(1, server.Calls);
    }

    [Fact]
    public async Task A_conditional_write_is_retried_on_503_because_the_server_did_not_act_on_it()
    {
        var server = new ScriptedServer(call =>
        {
            var response = call == 1 ? Respond(HttpStatusCode.ServiceUnavailable, """{"error":"busy"}""") : Respond(HttpStatusCode.OK, "1");
            response.Headers.ETag = new System.Net.Http.Headers.EntityTagHeaderValue("\"new-etag\"");
            return response;
        });
        using var scope = Create(server, hostDefaults: true);

        var result = await scope.Database.SetIfMatchAsync("x", 1, "etag", Ct);

        Assert.True(result.Succeeded);
        Assert.Equal(2, server.Calls);
    }

    [Fact]
    public async Task Idempotent_reads_are_tried_three_times_like_the_original_then_fail_as_unavailable()
    {
        var server = new ScriptedServer(_ => Respond(HttpStatusCode.BadGateway, "<html>proxy</html>"));
        using var scope = Create(server, hostDefaults: true);

        var error = await Assert.ThrowsAsync<DatabaseException>(() => scope.Database.GetAsync("x", cancellationToken: Ct));

        Assert.Equal(DatabaseErrorKind.Unavailable, error.Kind);
        Assert.Equal(HttpStatusCode.BadGateway, error.StatusCode);
        Assert.Equal(3, server.Calls);
    }

    [Fact]
    public async Task A_slow_attempt_times_out_and_becomes_unavailable()
    {
        var server = new ScriptedServer(_ => Respond(HttpStatusCode.OK, "1"), delay: TimeSpan.FromSeconds(5));
        using var scope = Create(server, attemptTimeout: TimeSpan.FromMilliseconds(150));

        var error = await Assert.ThrowsAsync<DatabaseException>(() => scope.Database.SetIfMatchAsync("x", 1, "etag", Ct));

        Assert.Equal(DatabaseErrorKind.Unavailable, error.Kind);
        Assert.Equal(1, server.Calls);
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, """{"error":"Permission denied"}""", DatabaseErrorKind.PermissionDenied)]
    [InlineData(HttpStatusCode.Forbidden, """{"error":"Permission denied"}""", DatabaseErrorKind.PermissionDenied)]
    [InlineData(HttpStatusCode.NotFound, """{"error":"Firebase error. Please ensure that you have the URL of your Firebase Realtime Database instance configured correctly."}""", DatabaseErrorKind.NotFound)]
    [InlineData(HttpStatusCode.RequestEntityTooLarge, """{"error":"Payload too large"}""", DatabaseErrorKind.PayloadTooLarge)]
    [InlineData(HttpStatusCode.BadRequest, """{"error":"Invalid data; couldn't parse JSON object, array, or value."}""", DatabaseErrorKind.InvalidData)]
    public async Task Server_errors_become_typed_errors_that_never_contain_the_token(HttpStatusCode status, string body, DatabaseErrorKind kind)
    {
        var server = new ScriptedServer(_ => Respond(status, body));
        using var scope = Create(server, token: "ya29.secret-access-token");

        var error = await Assert.ThrowsAsync<DatabaseException>(() => scope.Database.SetAsync("users/u1", 1, Ct));

        Assert.Equal(kind, error.Kind);
        Assert.Equal("/users/u1", error.Path);
        Assert.Equal(JsonNode.Parse(body)!["error"]!.GetValue<string>(), error.ServerError);
        Assert.DoesNotContain("secret-access-token", error.ToString(), StringComparison.Ordinal);
        Assert.Equal("Bearer ya29.secret-access-token", server.LastAuthorization);
        Assert.DoesNotContain("secret-access-token", server.LastUri!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retry_after_is_reported_on_the_error()
    {
        var server = new ScriptedServer(_ =>
        {
            var response = Respond(HttpStatusCode.InternalServerError, """{"error":"down"}""");
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(7));
            return response;
        });
        using var scope = Create(server);

        var error = await Assert.ThrowsAsync<DatabaseException>(() => scope.Database.SetIfMatchAsync("x", 1, "etag", Ct));

        Assert.Equal(TimeSpan.FromSeconds(7), error.RetryAfter);
    }

    [Fact]
    public void Emulator_mode_targets_the_emulator_host_with_the_namespace_of_the_database_url()
    {
        var fromUrl = DatabaseEndpoint.From(new FirebaseOptions
        {
            ProjectId = "demo-authapp",
            DatabaseEmulatorHost = "127.0.0.1:9000",
            DatabaseUrl = new Uri("https://my-db.europe-west1.firebasedatabase.app"),
        });
        var fromProject = DatabaseEndpoint.From(new FirebaseOptions { ProjectId = "demo-authapp", DatabaseEmulatorHost = "localhost:9000" });
        var production = DatabaseEndpoint.From(new FirebaseOptions { ProjectId = "p-1234", DatabaseUrl = new Uri("https://p-1234-default-rtdb.firebaseio.com/") });

        Assert.Equal((new Uri("http://127.0.0.1:9000"), "my-db"), (fromUrl.BaseUri, fromUrl.Namespace));
        Assert.Equal("demo-authapp-default-rtdb", fromProject.Namespace);
        Assert.Equal((new Uri("https://p-1234-default-rtdb.firebaseio.com"), (string?)null), (production.BaseUri, production.Namespace));
        Assert.Throws<InvalidOperationException>(() => DatabaseEndpoint.From(new FirebaseOptions { ProjectId = "p-1234" }));
        Assert.Throws<InvalidOperationException>(() => DatabaseEndpoint.From(new FirebaseOptions { ProjectId = "p-1234", DatabaseUrl = new Uri("http://insecure.example") }));
    }

    [Fact]
    public void AddFirebase_registers_the_database_client_in_emulator_mode_from_the_standard_variable()
    {
        // Emulators are refused in Production, the default environment of a bare host.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Development });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Firebase:ProjectId"] = "demo-authapp",
            ["Firebase:ApiKey"] = "test-web-api-key",
            ["FIREBASE_DATABASE_EMULATOR_HOST"] = "127.0.0.1:9555",
        });
        builder.Services.AddSingleton<IFirebaseAccessTokenProvider, OwnerTokenProvider>();
        builder.AddFirebase();
        using var host = builder.Build();

        var database = host.Services.GetRequiredService<IFirebaseDatabase>();

        var client = Assert.IsType<FirebaseDatabaseClient>(database);
        Assert.Equal("127.0.0.1:9555", client.Endpoint.BaseUri.Authority);
        Assert.Equal("demo-authapp-default-rtdb", client.Endpoint.Namespace);
    }

    [Fact]
    public void A_database_registered_earlier_wins_over_the_default_client()
    {
        var services = new ServiceCollection();
        var fake = new FakeDatabase();
        services.AddSingleton<IFirebaseDatabase>(fake);

        services.AddFirebaseDatabaseClient();

        using var provider = services.BuildServiceProvider();
        Assert.Same(fake, provider.GetRequiredService<IFirebaseDatabase>());
    }

    private static DatabaseClientScope Create(ScriptedServer server, bool hostDefaults = false, TimeSpan? attemptTimeout = null, string token = "owner") =>
        DatabaseClientScope.Create("127.0.0.1:1", "test-ns", services =>
        {
            if (hostDefaults)
            {
                // What AuthApp.ServiceDefaults does for every HttpClient of a host.
                services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler());
            }

            services.Replace(ServiceDescriptor.Singleton<IFirebaseAccessTokenProvider>(new FixedTokenProvider(token)));
            services.Configure<FirebaseOptions>(options => options.AttemptTimeout = attemptTimeout ?? TimeSpan.FromSeconds(5));
            services.AddHttpClient(FirebaseDatabaseClient.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => server);
        });

    private static HttpResponseMessage Respond(HttpStatusCode status, string body) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    private sealed class FixedTokenProvider(string token) : IFirebaseAccessTokenProvider
    {
        public ValueTask<string> GetAccessTokenAsync(FirebaseApi api, CancellationToken cancellationToken) => ValueTask.FromResult(token);
    }

    private sealed class ScriptedServer(Func<int, HttpResponseMessage> respond, TimeSpan? delay = null) : HttpMessageHandler
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public string? LastAuthorization { get; private set; }

        public Uri? LastUri { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var call = Interlocked.Increment(ref _calls);
            LastAuthorization = request.Headers.Authorization?.ToString();
            LastUri = request.RequestUri;
            if (delay is { } wait)
            {
                await Task.Delay(wait, cancellationToken);
            }

            var response = respond(call);
            response.RequestMessage = request;
            return response;
        }

        protected override void Dispose(bool disposing)
        {
            // Shared across handler pipelines of a test; nothing to release.
        }
    }

    private sealed class FakeDatabase : IFirebaseDatabase
    {
        public Task<JsonNode?> GetAsync(string path, DatabaseQuery? query = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<JsonNode?> GetShallowAsync(string path, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<JsonNode?> GetAsync(string path, DatabaseQuery? query, int maxBytes, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<JsonNode?> GetShallowAsync(string path, int maxBytes, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IAsyncEnumerable<DatabaseChild> GetChildrenAsync(string path, DatabaseQuery? query, int maxChildBytes, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IAsyncEnumerable<string> GetChildKeysStreamAsync(string path, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IAsyncEnumerable<DatabaseStreamEvent> ListenAsync(string path, int maxEventBytes, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<DatabaseETagged> GetWithETagAsync(string path, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task SetAsync(string path, JsonNode? value, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<ConditionalWriteResult> SetIfMatchAsync(string path, JsonNode? value, string etag, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task UpdateAsync(string path, IReadOnlyDictionary<string, JsonNode?> updates, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task DeleteAsync(string path, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<ConditionalWriteResult> DeleteIfMatchAsync(string path, string etag, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<JsonNode?> TransactAsync(string path, Func<JsonNode?, JsonNode?> update, int maxAttempts = 25, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
