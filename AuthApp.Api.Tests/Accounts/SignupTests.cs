using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static AuthApp.Testing.ProblemResponses;

namespace AuthApp.Api.Tests.Accounts;

/// <summary>
/// Signup finishes or undoes, whatever step fails, and a retry of the same request reaches the same end. Each test
/// reads the end state back from Auth and the database.
/// </summary>
public sealed class SignupTests(ApiDependencies dependencies) : IAsyncLifetime
{
    private readonly ApiFactory _api = new(dependencies);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_signup_retried_after_it_finished_answers_the_same_uid_and_uses_the_key_once()
    {
        var (request, key) = await NewRequestAsync();
        using var client = _api.CreateClient();

        var first = await SignUpAsync(client, request);
        var second = await SignUpAsync(client, request);

        Assert.Equal(first, second);
        await AssertSignedUpAsync(request, key, first);
    }

    [Fact]
    public async Task A_signup_whose_auth_answer_was_lost_after_the_account_was_made_is_finished_by_the_same_request()
    {
        var (request, key) = await NewRequestAsync();
        _api.Faults.LoseAnswerWhen(HttpFaults.AccountCreation, times: 1);
        using var client = _api.CreateClient();

        var uid = await SignUpAsync(client, request);

        Assert.Equal(1, _api.Faults.Injected);
        await AssertSignedUpAsync(request, key, uid);
    }

    [Fact]
    public async Task A_signup_refused_by_auth_releases_the_key_for_the_retry()
    {
        var (request, key) = await NewRequestAsync();
        _api.Faults.RefuseWhen(HttpFaults.AccountCreation);
        using var client = _api.CreateClient();

        using var refused = await client.PostAsJsonAsync("/auth/signup", request, Cancellation);
        await AssertProblemAsync(refused, HttpStatusCode.ServiceUnavailable, "upstream_unavailable");
        Assert.Null(await dependencies.FindUidAsync((string)request["email"]!));
        await AssertKeyFreeAsync(key);

        _api.Faults.Clear();
        var uid = await SignUpAsync(client, request);
        await AssertSignedUpAsync(request, key, uid);
    }

    [Fact]
    public async Task A_signup_whose_record_cannot_be_written_keeps_the_key_for_its_account_and_the_retry_writes_the_record()
    {
        var (request, key) = await NewRequestAsync();
        _api.Faults.RefuseWhen(HttpFaults.Database(HttpMethod.Patch));
        using var client = _api.CreateClient();

        using var refused = await client.PostAsJsonAsync("/auth/signup", request, Cancellation);

        await AssertProblemAsync(refused, HttpStatusCode.ServiceUnavailable, "upstream_unavailable");
        Assert.NotNull(refused.Headers.RetryAfter);
        var created = await dependencies.FindUidAsync((string)request["email"]!);
        Assert.NotNull(created);
        Assert.Equal(created, (string?)await _api.ReadDatabaseAsync($"licenseKeys/{key}/usedBy"));
        Assert.Null(await _api.ReadDatabaseAsync("users"));

        _api.Faults.Clear();
        var uid = await SignUpAsync(client, request);

        Assert.Equal(created, uid);
        await AssertSignedUpAsync(request, key, uid);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_signup_whose_claim_failed_or_whose_claim_answer_was_lost_is_finished_by_the_retry(bool claimApplied)
    {
        var (request, key) = await NewRequestAsync();
        // The key's first write is the hold, the second the claim. A refusal is retried by the client, so it takes three.
        var claim = HttpFaults.Occurrence(HttpFaults.Database(HttpMethod.Put, $"licenseKeys/{key}"), occurrence: 2, count: claimApplied ? 1 : 3);
        if (claimApplied)
        {
            _api.Faults.LoseAnswerWhen(claim);
        }
        else
        {
            _api.Faults.RefuseWhen(claim);
        }

        using var client = _api.CreateClient();

        using var unknown = await client.PostAsJsonAsync("/auth/signup", request, Cancellation);

        await AssertProblemAsync(unknown, HttpStatusCode.ServiceUnavailable, "upstream_unavailable");
        var created = await dependencies.FindUidAsync((string)request["email"]!);
        Assert.NotNull(created);
        Assert.Equal(claimApplied ? created : null, (string?)await _api.ReadDatabaseAsync($"licenseKeys/{key}/usedBy"));
        Assert.Null(await _api.ReadDatabaseAsync($"users/{created}/verifiedAccess"));
        if (!claimApplied)
        {
            await AssertKeyFreeAsync(key);
        }

        _api.Faults.Clear();
        var uid = await SignUpAsync(client, request);

        Assert.Equal(created, uid);
        await AssertSignedUpAsync(request, key, uid);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_signup_that_cannot_tell_whether_its_record_was_written_is_finished_by_the_retry(bool writeHappened)
    {
        var (request, key) = await NewRequestAsync();
        // The record write fails (having happened or not), then the database stays unreachable for the read-back.
        var writeFailed = false;
        var isWrite = HttpFaults.Database(HttpMethod.Patch);
        bool FailWrite(HttpRequestMessage request) => isWrite(request) && (writeFailed = true);
        if (writeHappened)
        {
            _api.Faults.LoseAnswerWhen(FailWrite);
        }
        else
        {
            _api.Faults.RefuseWhen(FailWrite);
        }

        _api.Faults.RefuseWhen(request => writeFailed && HttpFaults.Database(HttpMethod.Get)(request));
        using var client = _api.CreateClient();

        using var unknown = await client.PostAsJsonAsync("/auth/signup", request, Cancellation);
        await AssertProblemAsync(unknown, HttpStatusCode.ServiceUnavailable, "upstream_unavailable");
        var created = await dependencies.FindUidAsync((string)request["email"]!);
        Assert.NotNull(created);

        _api.Faults.Clear();
        var uid = await SignUpAsync(client, request);

        Assert.Equal(created, uid);
        await AssertSignedUpAsync(request, key, uid);
    }

    [Fact]
    public async Task A_signup_with_an_email_that_has_an_account_is_409_and_leaves_the_key_free()
    {
        var (first, _) = await NewRequestAsync();
        using var client = _api.CreateClient();
        await SignUpAsync(client, first);
        var (second, key) = await NewRequestAsync(email: (string)first["email"]!, password: "another-password-9");

        using var taken = await client.PostAsJsonAsync("/auth/signup", second, Cancellation);

        await AssertProblemAsync(taken, HttpStatusCode.Conflict, "email_exists");
        await AssertKeyFreeAsync(key);
    }

    [Fact]
    public async Task A_key_used_by_one_account_is_refused_to_another_email()
    {
        var (first, key) = await NewRequestAsync();
        using var client = _api.CreateClient();
        await SignUpAsync(client, first);
        var second = new JsonObject { ["email"] = ApiUsers.NewEmail(), ["password"] = ApiUsers.Password, ["name"] = "B", ["accessToken"] = key };

        using var refused = await client.PostAsJsonAsync("/auth/signup", second, Cancellation);

        await AssertProblemAsync(refused, HttpStatusCode.Forbidden, "invalid_license");
        Assert.Null(await dependencies.FindUidAsync((string)second["email"]!));
    }

    [Fact]
    public async Task Two_signups_racing_for_one_key_make_one_account()
    {
        var key = await _api.CreateLicenseKeyAsync();
        var requests = Enumerable.Range(0, 2)
            .Select(_ => new JsonObject { ["email"] = ApiUsers.NewEmail(), ["password"] = ApiUsers.Password, ["name"] = "R", ["accessToken"] = key })
            .ToList();
        using var client = _api.CreateClient();

        var responses = await Task.WhenAll(requests.Select(request => client.PostAsJsonAsync("/auth/signup", request, Cancellation)));

        Assert.Single(responses, response => response.StatusCode == HttpStatusCode.OK);
        Assert.Single(responses, response => response.StatusCode == HttpStatusCode.Forbidden);
        var accounts = await Task.WhenAll(requests.Select(request => dependencies.FindUidAsync((string)request["email"]!)));
        Assert.Single(accounts, uid => uid is not null);
        Assert.Equal(accounts.Single(uid => uid is not null), (string?)await _api.ReadDatabaseAsync($"licenseKeys/{key}/usedBy"));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    private async Task<(JsonObject Request, string Key)> NewRequestAsync(string? email = null, string password = ApiUsers.Password)
    {
        var key = await _api.CreateLicenseKeyAsync();
        return (new JsonObject { ["email"] = email ?? ApiUsers.NewEmail(), ["password"] = password, ["name"] = "Signup Test", ["accessToken"] = key }, key);
    }

    private static async Task<string> SignUpAsync(HttpClient client, JsonObject request)
    {
        using var response = await client.PostAsJsonAsync("/auth/signup", request, Cancellation);
        var body = await response.Content.ReadAsStringAsync(Cancellation);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"signup answered {(int)response.StatusCode}: {body}");
        return (string)JsonNode.Parse(body)!["uid"]!;
    }

    /// <summary>The end state of a finished signup: the account, its record, and the key used by it alone.</summary>
    private async Task AssertSignedUpAsync(JsonObject request, string key, string uid)
    {
        Assert.Equal(uid, await dependencies.FindUidAsync((string)request["email"]!));
        var record = await _api.ReadDatabaseAsync($"users/{uid}");
        Assert.True((bool?)record?["verifiedAccess"]);
        Assert.Equal(key, (string?)record?["accessKey"]);
        var license = await _api.ReadDatabaseAsync($"licenseKeys/{key}");
        Assert.Equal(uid, (string?)license?["usedBy"]);
        Assert.Null(license?["reservedFor"]);
        Assert.Null(license?["reservedBy"]);
    }

    private async Task AssertKeyFreeAsync(string key)
    {
        var license = await _api.ReadDatabaseAsync($"licenseKeys/{key}");
        Assert.NotNull(license);
        Assert.Null(license["usedBy"]);
        Assert.Null(license["reservedFor"]);
        Assert.Null(license["reservedBy"]);
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _api.DisposeAsync();
}
