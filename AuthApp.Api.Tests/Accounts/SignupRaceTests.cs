using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AuthApp.Domain.Licenses;
using Microsoft.Extensions.DependencyInjection;
using static AuthApp.Testing.ProblemResponses;

namespace AuthApp.Api.Tests.Accounts;

/// <summary>
/// Signups that overlap on one license key: a signup is stopped at a chosen step (its answer from Auth held back)
/// while others run, and the key ends up licensing one account, the one its <c>usedBy</c> names. Also: key records
/// of any shape are read without a server error.
/// </summary>
public sealed class SignupRaceTests(ApiDependencies dependencies) : IAsyncLifetime
{
    private static readonly TimeSpan StepDeadline = TimeSpan.FromSeconds(30);

    private readonly ApiFactory _api = new(dependencies);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_failing_signup_for_an_email_does_not_free_the_key_that_a_good_signup_for_that_email_holds()
    {
        var key = await _api.CreateLicenseKeyAsync();
        var email = ApiUsers.NewEmail("holder");
        var stranger = ApiUsers.NewEmail("stranger");
        using var client = _api.CreateClient();
        // The good signup stops right after Auth made its account: it holds the key and has not claimed it yet.
        var paused = _api.Faults.PauseAnswerWhen(HttpFaults.AccountCreation);
        var good = client.PostAsJsonAsync("/auth/signup", Request(email, ApiUsers.Password, key), Cancellation);
        try
        {
            await paused.Reached.WaitAsync(StepDeadline, Cancellation);

            using var failed = await client.PostAsJsonAsync("/auth/signup", Request(email, "a-wrong-password-1", key), Cancellation);
            await AssertProblemAsync(failed, HttpStatusCode.Conflict, "email_exists");
            Assert.NotNull(await _api.ReadDatabaseAsync($"licenseKeys/{key}/reservedFor"));

            using var refused = await client.PostAsJsonAsync("/auth/signup", Request(stranger, ApiUsers.Password, key), Cancellation);
            await AssertProblemAsync(refused, HttpStatusCode.Forbidden, "invalid_license");
            Assert.Null(await dependencies.FindUidAsync(stranger));
        }
        finally
        {
            paused.Release();
        }

        using var response = await good;
        var uid = await ReadUidAsync(response);
        Assert.Equal(uid, await dependencies.FindUidAsync(email));
        await AssertLicensesOnlyAsync(key, uid);
    }

    [Fact]
    public async Task A_signup_whose_hold_lapsed_and_went_to_another_email_cannot_claim_the_key()
    {
        var key = await _api.CreateLicenseKeyAsync();
        var slow = ApiUsers.NewEmail("slow");
        var other = ApiUsers.NewEmail("other");
        using var client = _api.CreateClient();
        var paused = _api.Faults.PauseAnswerWhen(HttpFaults.AccountCreation);
        var stalled = client.PostAsJsonAsync("/auth/signup", Request(slow, ApiUsers.Password, key), Cancellation);
        string otherUid;
        try
        {
            await paused.Reached.WaitAsync(StepDeadline, Cancellation);
            // As if the signup had stood still for longer than the reservation time.
            await _api.LapseHoldAsync(key);

            using var taken = await client.PostAsJsonAsync("/auth/signup", Request(other, ApiUsers.Password, key), Cancellation);
            otherUid = await ReadUidAsync(taken);
        }
        finally
        {
            paused.Release();
        }

        using var lost = await stalled;

        await AssertProblemAsync(lost, HttpStatusCode.Forbidden, "invalid_license");
        await AssertLicensesOnlyAsync(key, otherUid);
        var slowUid = await dependencies.FindUidAsync(slow);
        Assert.NotNull(slowUid);
        Assert.Null(await _api.ReadDatabaseAsync($"users/{slowUid}"));
    }

    [Fact]
    public async Task Identical_signups_sent_at_once_all_answer_the_one_account()
    {
        var key = await _api.CreateLicenseKeyAsync();
        var email = ApiUsers.NewEmail("twin");
        using var client = _api.CreateClient();

        var responses = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => client.PostAsJsonAsync("/auth/signup", Request(email, ApiUsers.Password, key), Cancellation)));

        var uids = new List<string>();
        foreach (var response in responses)
        {
            using (response)
            {
                uids.Add(await ReadUidAsync(response));
            }
        }

        var uid = Assert.Single(uids.Distinct());
        Assert.Equal(uid, await dependencies.FindUidAsync(email));
        await AssertLicensesOnlyAsync(key, uid);
    }

    /// <summary>The property test's shrunk counterexample (<c>CsCheck_Seed=bAOGlJ2io3i3</c>), once holds had one end for all their shares.</summary>
    [Fact]
    public async Task A_share_left_by_a_failed_release_is_not_prolonged_by_the_retries_of_its_email()
    {
        var key = await _api.CreateLicenseKeyAsync();
        var owner = ApiUsers.NewEmail("unfinished");
        await dependencies.CreateAccountAsync(owner, ApiUsers.Password);
        var wrongPassword = Request(owner, "a-wrong-password-1", key);
        var fresh = Request(ApiUsers.NewEmail("fresh"), ApiUsers.Password, key);
        // The key's second read is the failed signup's release; the client retries a refusal, so it takes three.
        _api.Faults.RefuseWhen(HttpFaults.Occurrence(HttpFaults.Database(HttpMethod.Get, $"licenseKeys/{key}"), occurrence: 2, count: 3));
        using var client = _api.CreateClient();
        await AssertSignupProblemAsync(client, wrongPassword, HttpStatusCode.Conflict, "email_exists");
        _api.Faults.Clear();
        var end = (long?)await _api.ReadDatabaseAsync($"licenseKeys/{key}/reservedUntil");
        Assert.NotNull(end);
        await AssertSignupProblemAsync(client, fresh, HttpStatusCode.Forbidden, "invalid_license");

        // The same request again joins the hold and leaves it: the share left behind keeps its own end.
        await AssertSignupProblemAsync(client, wrongPassword, HttpStatusCode.Conflict, "email_exists");
        Assert.Equal(end, (long?)await _api.ReadDatabaseAsync($"licenseKeys/{key}/reservedUntil"));
        await _api.LapseHoldAsync(key);
        await AssertSignupProblemAsync(client, wrongPassword, HttpStatusCode.Conflict, "email_exists");

        using var response = await client.PostAsJsonAsync("/auth/signup", fresh, Cancellation);
        await AssertLicensesOnlyAsync(key, await ReadUidAsync(response));
    }

    public static TheoryData<string, string> HostileRecords { get; } = new()
    {
        { "text instead of a record", "\"a key\"" },
        { "an array instead of a record", "[1, 2, 3]" },
        { "times beyond what a date holds", """{"createdAt": 1e300, "usedAt": -9.2e18, "revoked": false}""" },
        { "a creation time past year 9999", """{"createdAt": 253402300800000, "revoked": false}""" },
        { "usedBy an object", """{"createdAt": 1, "usedBy": {"uid": "x"}}""" },
        { "usedBy a number", """{"createdAt": 1, "usedBy": 42}""" },
        { "a hold of the wrong types", """{"createdAt": 1, "reservedFor": 5, "reservedUntil": "soon", "reservedBy": [true, true]}""" },
        { "a hold lasting past any date", """{"createdAt": 1, "reservedFor": "email-sha256:someone", "reservedUntil": 1e30, "reservedBy": "me"}""" },
        { "revoked as text", """{"createdAt": "yesterday", "revoked": "yes", "note": {"a": 1}}""" },
    };

    [Theory]
    [MemberData(nameof(HostileRecords))]
    public async Task A_key_record_of_any_shape_is_read_without_a_server_error(string what, string stored)
    {
        var key = $"AK-TEST-{Guid.NewGuid():N}";
        await _api.WriteDatabaseAsync($"licenseKeys/{key}", JsonNode.Parse(stored));
        using var client = _api.CreateClient();

        using var response = await client.PostAsJsonAsync("/auth/signup", Request(ApiUsers.NewEmail("hostile"), ApiUsers.Password, key), Cancellation);

        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Forbidden,
            $"{what}: signup answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Cancellation)}");
        var listed = await _api.Services.GetRequiredService<LicenseKeys>().ListAsync(Cancellation);
        Assert.Equal(JsonNode.Parse(stored) is JsonObject, listed.Any(license => license.Key == key));
    }

    private static async Task AssertSignupProblemAsync(HttpClient client, JsonObject request, HttpStatusCode status, string code)
    {
        using var response = await client.PostAsJsonAsync("/auth/signup", request, Cancellation);
        await AssertProblemAsync(response, status, code);
    }

    private static JsonObject Request(string email, string password, string key) =>
        new() { ["email"] = email, ["password"] = password, ["name"] = "Race", ["accessToken"] = key };

    private static async Task<string> ReadUidAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync(Cancellation);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"signup answered {(int)response.StatusCode}: {body}");
        return (string)JsonNode.Parse(body)!["uid"]!;
    }

    /// <summary>The key is used by <paramref name="uid"/>, and its record is the only licensed one with this key.</summary>
    private async Task AssertLicensesOnlyAsync(string key, string uid)
    {
        Assert.Equal(uid, (string?)await _api.ReadDatabaseAsync($"licenseKeys/{key}/usedBy"));
        var licensed = (await _api.ReadDatabaseAsync("users"))!.AsObject()
            .Where(user => (string?)user.Value?["accessKey"] == key && user.Value?["verifiedAccess"] is JsonValue flag && flag.TryGetValue(out bool on) && on)
            .Select(user => user.Key);
        Assert.Equal(new[] { uid }, licensed);
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _api.DisposeAsync();
}
