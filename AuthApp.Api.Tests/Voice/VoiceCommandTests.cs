using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace AuthApp.Api.Tests.Voice;

/// <summary>
/// <c>/auth/set_voice_key</c>, <c>/auth/voice_key_exists</c> and <c>/auth/voice_command</c> against a
/// local stand-in for Gemini (<see cref="FakeGemini"/>) that answers from a script keyed by the command. (Which keys
/// are accepted, and what a badly stored one gets, is VoiceKeyTests'.)
/// </summary>
public sealed class VoiceCommandTests(VoiceApi voice) : IClassFixture<VoiceApi>
{
    private ApiFactory Api => voice.Api;

    private FakeGemini Gemini => voice.Gemini;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static string NewKey(string prefix = "test-key-") => $"{prefix}{Guid.NewGuid():N}";

    [Fact]
    public async Task Voice_key_exists_turns_true_once_a_key_is_set()
    {
        using var user = await Api.SignUpAsync();
        var key = NewKey();

        var before = await user.Client.GetFromJsonAsync<JsonObject>("/auth/voice_key_exists", Cancellation);
        using var set = await user.Client.PostAsJsonAsync("/auth/set_voice_key", new { apiKey = key }, Cancellation);
        var after = await user.Client.GetFromJsonAsync<JsonObject>("/auth/voice_key_exists", Cancellation);

        Assert.False((bool)before!["exists"]!);
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal("Voice key saved", (string?)(await set.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!["message"]);
        Assert.True((bool)after!["exists"]!);
        Assert.Equal(key, (string?)await Api.ReadDatabaseAsync($"users/{user.Uid}/secure/gemini_key"));
    }

    [Fact]
    public async Task Voice_command_applies_the_models_answer_to_the_named_device()
    {
        using var user = await UserWithLampAsync();

        using var response = await user.Client.PostAsJsonAsync("/auth/voice_command", new { text = FakeGemini.Commands.LampOn }, Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!;
        Assert.Equal("Action applied", (string?)body["message"]);
        Assert.Equal("Living", (string?)body["venue"]);
        Assert.Equal("Lamp", (string?)body["device"]);
        Assert.Equal("on", (string?)body["value"]);
        Assert.Equal("on", (string?)await Api.ReadDatabaseAsync($"users/{user.Uid}/venues/Living/Lamp"));
    }

    [Fact]
    public async Task Voice_command_gives_the_model_the_users_devices_and_the_command()
    {
        using var user = await UserWithLampAsync();
        await user.AddDeviceAsync("Kitchen", "Fan", "3");

        using var response = await user.Client.PostAsJsonAsync("/auth/voice_command", new { text = FakeGemini.Commands.LampOn }, Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var request = Assert.Single(Gemini.RequestsWithKey(user.VoiceKey));
        Assert.Equal("gemini-2.0-flash:generateContent", request.Model);
        Assert.Contains(FakeGemini.Commands.LampOn, request.Prompt, StringComparison.Ordinal);
        Assert.Contains("\"Living\":{\"Lamp\":\"off\"}", request.Prompt, StringComparison.Ordinal);
        Assert.Contains("\"Kitchen\":{\"Fan\":\"3\"}", request.Prompt, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(FakeGemini.Commands.Ghost)]
    [InlineData(FakeGemini.Commands.LampSeven)]
    [InlineData(FakeGemini.Commands.Chatty)]
    [InlineData(FakeGemini.Commands.Extra)]
    public async Task Voice_command_refuses_a_model_answer_that_is_not_a_device_and_allowed_value(string command)
    {
        using var user = await UserWithLampAsync();

        using var response = await user.Client.PostAsJsonAsync("/auth/voice_command", new { text = command }, Cancellation);

        var problem = await response.ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("voice_command_not_understood", (string?)problem["code"]);
        Assert.Contains("nothing was changed", (string?)problem["error"], StringComparison.Ordinal);
        Assert.Single(Gemini.RequestsWithKey(user.VoiceKey));
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["__created"] = true, ["Lamp"] = "off" },
            await Api.ReadDatabaseAsync($"users/{user.Uid}/venues/Living")), "the venue changed");
    }

    [Fact]
    public async Task Voice_command_with_a_key_gemini_rejects_answers_invalid_voice_key()
    {
        using var user = await UserWithLampAsync(NewKey(FakeGemini.RejectedKeyPrefix));

        using var response = await user.Client.PostAsJsonAsync("/auth/voice_command", new { text = FakeGemini.Commands.LampOn }, Cancellation);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("invalid_voice_key", (string?)problem["code"]);
        Assert.Equal("The stored Gemini API key was rejected; set a valid key.", (string?)problem["error"]);
        Assert.Equal("off", (string?)await Api.ReadDatabaseAsync($"users/{user.Uid}/venues/Living/Lamp"));
    }

    [Fact]
    public async Task Voice_command_answers_503_with_retry_after_when_gemini_is_unavailable()
    {
        using var user = await UserWithLampAsync();

        using var response = await user.Client.PostAsJsonAsync("/auth/voice_command", new { text = FakeGemini.Commands.Overloaded }, Cancellation);

        var problem = await response.ReadProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("upstream_unavailable", (string?)problem["code"]);
        Assert.True(response.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 }, "a 503 must say when to retry");
        // The contract: outgoing calls to Google are tried three times before the API gives up.
        Assert.Equal(3, Gemini.RequestsWithKey(user.VoiceKey).Count);
        Assert.Equal("off", (string?)await Api.ReadDatabaseAsync($"users/{user.Uid}/venues/Living/Lamp"));
    }

    [Fact]
    public async Task Voice_command_without_a_stored_key_answers_voice_key_missing()
    {
        using var user = await Api.SignUpAsync();
        await user.AddDeviceAsync("Living", "Lamp");
        var marker = Guid.NewGuid().ToString("N");

        using var response = await user.Client.PostAsJsonAsync("/auth/voice_command", new { text = $"{FakeGemini.Commands.LampOn} {marker}" }, Cancellation);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("voice_key_missing", (string?)problem["code"]);
        Assert.DoesNotContain(Gemini.Requests, request => request.Prompt.Contains(marker, StringComparison.Ordinal));
        Assert.Equal("off", (string?)await Api.ReadDatabaseAsync($"users/{user.Uid}/venues/Living/Lamp"));
    }

    [Fact]
    public async Task Voice_key_reaches_gemini_in_the_header_and_never_in_the_url()
    {
        using var user = await UserWithLampAsync();

        using var response = await user.Client.PostAsJsonAsync("/auth/voice_command", new { text = FakeGemini.Commands.LampOn }, Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var request = Assert.Single(Gemini.RequestsWithKey(user.VoiceKey));
        Assert.Equal("/v1beta/models/gemini-2.0-flash:generateContent", request.PathAndQuery);
        Assert.DoesNotContain(user.VoiceKey, request.PathAndQuery, StringComparison.Ordinal);
        Assert.DoesNotContain(user.VoiceKey, request.Prompt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Voice_key_is_never_returned_by_any_endpoint()
    {
        using var user = await UserWithLampAsync();

        var answers = new List<string>();
        foreach (var path in new[] { "/auth/profile", "/auth/voice_key_exists", "/auth/get_schedules", "/auth/get_monitoring_data" })
        {
            using var response = await user.Client.GetAsync(path, Cancellation);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            answers.Add(await response.Content.ReadAsStringAsync(Cancellation));
        }

        using (var command = await user.Client.PostAsJsonAsync("/auth/voice_command", new { text = FakeGemini.Commands.LampOn }, Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, command.StatusCode);
            answers.Add(await command.Content.ReadAsStringAsync(Cancellation));
        }

        Assert.All(answers, answer => Assert.DoesNotContain(user.VoiceKey, answer, StringComparison.Ordinal));
        var profile = JsonNode.Parse(answers[0])!.AsObject();
        Assert.Equal(user.Uid, (string?)profile["uid"]);
        Assert.DoesNotContain("secure", profile.Select(member => member.Key));
        Assert.Equal(user.VoiceKey, (string?)await Api.ReadDatabaseAsync($"users/{user.Uid}/secure/gemini_key"));
    }

    /// <summary>A user with venue Living holding Lamp (off) and a stored voice key.</summary>
    private async Task<VoiceUser> UserWithLampAsync(string? voiceKey = null)
    {
        var user = await Api.SignUpAsync();
        await user.AddDeviceAsync("Living", "Lamp");
        var key = voiceKey ?? NewKey();
        using var set = await user.Client.PostAsJsonAsync("/auth/set_voice_key", new { apiKey = key }, Cancellation);
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        return new VoiceUser(user, key);
    }

    private sealed record VoiceUser(ApiUser User, string VoiceKey) : IDisposable
    {
        public string Uid => User.Uid;

        public HttpClient Client => User.Client;

        public Task AddDeviceAsync(string venue, string device, string state = "off") => User.AddDeviceAsync(venue, device, state);

        public void Dispose() => User.Dispose();
    }
}
