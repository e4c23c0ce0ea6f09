using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static AuthApp.Testing.ProblemResponses;

namespace AuthApp.Api.Tests.Accounts;

/// <summary>The original's answers to signup: no license key is the same 403 as a wrong one; other bad fields stay 400.</summary>
public sealed class SignupContractTests(ApiDependencies dependencies) : IAsyncLifetime
{
    private readonly ApiFactory _api = new(dependencies);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _api.DisposeAsync();

    [Theory]
    [InlineData("""{"email":"EMAIL","password":"secret12","name":"A"}""")]
    [InlineData("""{"email":"EMAIL","password":"secret12","name":"A","accessToken":null}""")]
    [InlineData("""{"email":"EMAIL","password":"secret12","name":"A","accessToken":""}""")]
    [InlineData("""{"email":"EMAIL","password":"secret12","name":"A","accessToken":"   "}""")]
    public async Task Signup_without_a_license_key_is_forbidden_as_an_invalid_license(string json)
    {
        using var client = _api.CreateClient();
        var email = ApiUsers.NewEmail("nokey");

        using var response = await client.PostAsync("/auth/signup", Json(json.Replace("EMAIL", email, StringComparison.Ordinal)), Cancellation);

        await AssertProblemAsync(response, HttpStatusCode.Forbidden, "invalid_license");
        var lookup = await dependencies.CallAuthEmulatorAsync(HttpMethod.Post,
            $"identitytoolkit.googleapis.com/v1/projects/{AuthEmulatorFixture.ProjectId}/accounts:lookup", new JsonObject { ["email"] = new JsonArray(email) });
        Assert.Null(lookup?["users"]);
    }

    [Theory]
    [InlineData("""{"email":"not-an-email","password":"secret12","name":"A","accessToken":"k"}""", "email")]
    [InlineData("""{"email":"a@example.com","password":"secret12","accessToken":"k"}""", "name")]
    [InlineData("""{"email":"a@example.com","password":"secret12","name":5,"accessToken":"k"}""", "name")]
    public async Task Other_bad_signup_fields_stay_a_400_naming_the_field(string json, string field)
    {
        using var client = _api.CreateClient();

        using var response = await client.PostAsync("/auth/signup", Json(json), Cancellation);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(field, (string?)problem["field"]);
    }

    [Fact]
    public async Task Signup_with_a_valid_license_still_answers_the_uid()
    {
        using var client = _api.CreateClient();

        using var response = await client.PostAsJsonAsync("/auth/signup",
            new { email = ApiUsers.NewEmail(), password = ApiUsers.Password, name = "N", accessToken = await _api.CreateLicenseKeyAsync() }, Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(string.IsNullOrEmpty((string?)(await response.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!["uid"]));
    }
}
