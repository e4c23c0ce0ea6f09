using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static AuthApp.Testing.ProblemResponses;

namespace AuthApp.Api.Tests.Accounts;

/// <summary>
/// The original's answers to signup: the uid and a licensed record for a valid key; no key, or a key nobody made, is
/// the same 403 and makes no account; other bad fields stay 400 and name the field. On the shared API.
/// </summary>
public sealed class SignupContractTests(ApiDependencies dependencies)
{
    private ApiFactory Api => dependencies.SharedApi;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Signup_with_a_valid_license_answers_only_the_uid_and_writes_a_licensed_record()
    {
        using var client = Api.CreateClient();
        var email = ApiUsers.NewEmail();
        var key = await Api.CreateLicenseKeyAsync();

        using var response = await client.PostAsJsonAsync("/auth/signup",
            new { email, password = ApiUsers.Password, name = "Ann", accessToken = key }, Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!;
        var uid = (string?)body["uid"];
        Assert.False(string.IsNullOrEmpty(uid));
        Assert.Single(body);
        var record = (await Api.ReadDatabaseAsync($"users/{uid}"))!.AsObject();
        Assert.Equal(email, (string?)record["email"]);
        Assert.Equal("Ann", (string?)record["name"]);
        Assert.True((bool)record["verifiedAccess"]!);
        Assert.Equal(key, (string?)record["accessKey"]);
        Assert.Equal(uid, (string?)await Api.ReadDatabaseAsync($"licenseKeys/{key}/usedBy"));
    }

    [Theory]
    [InlineData("""{"email":"EMAIL","password":"secret12","name":"A"}""")]
    [InlineData("""{"email":"EMAIL","password":"secret12","name":"A","accessToken":null}""")]
    [InlineData("""{"email":"EMAIL","password":"secret12","name":"A","accessToken":""}""")]
    [InlineData("""{"email":"EMAIL","password":"secret12","name":"A","accessToken":"   "}""")]
    [InlineData("""{"email":"EMAIL","password":"secret12","name":"A","accessToken":"AK-NOT-A-KEY"}""")]
    public async Task Signup_without_a_license_key_or_with_an_unknown_one_is_forbidden_and_makes_no_account(string json)
    {
        using var client = Api.CreateClient();
        var email = ApiUsers.NewEmail("nokey");

        using var response = await client.PostAsync("/auth/signup", Json(json.Replace("EMAIL", email, StringComparison.Ordinal)), Cancellation);

        await AssertProblemAsync(response, HttpStatusCode.Forbidden, "invalid_license");
        Assert.Null(await dependencies.FindUidAsync(email));
    }

    [Theory]
    [InlineData("""{"email":"not-an-email","password":"secret12","name":"A","accessToken":"k"}""", "email")]
    [InlineData("""{"email":"a@example.com","password":"secret12","accessToken":"k"}""", "name")]
    [InlineData("""{"email":"a@example.com","password":"secret12","name":5,"accessToken":"k"}""", "name")]
    public async Task Other_bad_signup_fields_stay_a_400_naming_the_field(string json, string field)
    {
        using var client = Api.CreateClient();

        using var response = await client.PostAsync("/auth/signup", Json(json), Cancellation);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(field, (string?)problem["field"]);
        Assert.Contains(field, (string?)problem["error"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signup_with_a_weak_password_names_the_password_and_leaves_the_key_unused()
    {
        using var client = Api.CreateClient();
        var key = await Api.CreateLicenseKeyAsync();

        using var response = await client.PostAsJsonAsync("/auth/signup",
            new { email = ApiUsers.NewEmail(), password = "abc", name = "Weak", accessToken = key }, Cancellation);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "weak_password");
        Assert.Equal("password", (string?)problem["field"]);
        Assert.Null(await Api.ReadDatabaseAsync($"licenseKeys/{key}/usedBy"));
    }
}
