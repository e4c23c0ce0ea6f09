using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static AuthApp.Testing.ProblemResponses;

namespace AuthApp.Api.Tests.Data;

/// <summary><c>GET /auth/profile</c>: the original's fields, and only for a caller with a token the API accepts.</summary>
public sealed class ProfileTests(ApiDependencies dependencies)
{
    private ApiFactory Api => dependencies.SharedApi;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Profile_answers_the_original_fields_with_the_first_venues_faults()
    {
        using var user = await Api.SignUpAsync("Profile Owner");
        await user.AddDeviceAsync("Bedroom", "Fan", "3");
        await user.AddDeviceAsync("Attic", "Light");
        // Sensors report faults straight into the database.
        await Api.WriteDatabaseAsync($"users/{user.Uid}/venues/Attic/faults", JsonValue.Create("Overheat"));
        (await user.Client.PostAsJsonAsync("/auth/add_venue", new { venue = "Attic" }, Cancellation)).EnsureSuccessStatusCode(); // evicts the cached profile

        using var response = await user.Client.GetAsync("/auth/profile", Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var profile = (await response.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!;
        Assert.Equal(user.Uid, (string?)profile["uid"]);
        Assert.Equal(user.Email, (string?)profile["email"]);
        Assert.Equal("Profile Owner", (string?)profile["name"]);
        Assert.True((bool)profile["verifiedAccess"]!);
        Assert.Equal("Overheat", (string?)profile["faults"]);
        Assert.Equal("3", (string?)profile["venues"]!["Bedroom"]!["Fan"]);
        Assert.Equal("off", (string?)profile["venues"]!["Attic"]!["Light"]);
    }

    [Fact]
    public async Task Profile_without_a_token_or_with_a_token_of_no_project_is_unauthorized()
    {
        using var client = Api.CreateClient();

        using var missing = await client.GetAsync("/auth/profile", Cancellation);
        // Unsigned, as the emulator's are (which this API accepts), but with no issuer or audience of the project.
        client.DefaultRequestHeaders.Authorization = new("Bearer", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.");
        using var forged = await client.GetAsync("/auth/profile", Cancellation);

        await AssertProblemAsync(missing, HttpStatusCode.Unauthorized, "unauthorized");
        await AssertProblemAsync(forged, HttpStatusCode.Unauthorized, "unauthorized");
    }
}
