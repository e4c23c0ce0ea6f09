using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AuthApp.Domain.Users;
using CsCheck;

namespace AuthApp.Api.Tests.Voice;

/// <summary>
/// A Gemini key is refused when it is set unless it can travel in the header the Gemini client sends it in, and a key
/// stored badly anyway (before the rule, or by hand) makes a voice command a 400 asking to set it again, never a 500.
/// </summary>
public sealed class VoiceKeyTests(ApiDependencies dependencies, VoiceApi voice) : IClassFixture<VoiceApi>
{
    private const string GoodKey = "AIzaSyD-test_key_0123456789abcdefghijk";

    private FakeGemini Gemini => voice.Gemini;

    private ApiFactory Api => voice.Api;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>
    /// A JSON body naming <paramref name="apiKey"/> with every character outside printable ASCII escaped as <c>\uXXXX</c>,
    /// so that lone surrogates and control characters reach the API exactly as they are (a serializer would replace
    /// a lone surrogate with U+FFFD).
    /// </summary>
    private static StringContent KeyBody(string apiKey)
    {
        var json = new StringBuilder("{\"apiKey\":\"");
        foreach (var character in apiKey)
        {
            if (character is < ' ' or > '~' or '"' or '\\')
            {
                json.Append($"\\u{(int)character:x4}");
            }
            else
            {
                json.Append(character);
            }
        }

        return ProblemResponses.Json(json.Append("\"}").ToString());
    }

    private async Task<JsonNode?> StoredKeyAsync(ApiUser user) => await Api.ReadDatabaseAsync(UserPaths.GeminiKey(user.Uid));

    private async Task<ApiUser> UserWithLampAsync()
    {
        var user = await Api.SignUpAsync();
        await user.AddDeviceAsync("Living", "Lamp");
        return user;
    }

    public static TheoryData<string, string> UnsendableKeys => new()
    {
        { "carriage return and line feed inside", "AIzaSyD-abc\r\nX-Injected: 1" },
        { "a line feed inside", "AIzaSyD-abc\ndef0123" },
        { "NUL", "AIzaSyD-abc\0def0123" },
        { "non-ASCII", "AIzaSyD-clé-0123456" },
        { "a non-breaking space inside", "AIzaSyD-abc\u00a0def0123" },
        { "a space inside", "AIzaSyD abc def0123" },
        { "a tab inside", "AIzaSyD-abc\tdef0123" },
        { "DEL", "AIzaSyD-abc\u007fdef0123" },
        { "a lone surrogate", "AIzaSyD-abc\ud800def0123" },
        { "only whitespace", "            " },
        { "shorter than 10 once trimmed", "   AIzaSy   " },
    };

    [Theory]
    [MemberData(nameof(UnsendableKeys))]
    public async Task A_key_that_cannot_travel_in_a_header_is_refused_naming_the_field_and_nothing_is_stored(string what, string apiKey)
    {
        using var user = await Api.SignUpAsync();
        (await user.Client.PostAsJsonAsync("/auth/set_voice_key", new { apiKey = GoodKey }, Cancellation)).EnsureSuccessStatusCode();

        using var response = await user.Client.PostAsync("/auth/set_voice_key", KeyBody(apiKey), Cancellation);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.True((string?)problem["field"] == "apiKey", $"{what}: {problem.ToJsonString()}");
        Assert.Equal(ExpectedRefusal(apiKey), (string?)problem["code"]);
        Assert.Equal(GoodKey, (string?)await StoredKeyAsync(user));
    }

    /// <summary>
    /// <c>validation_failed</c>; a lone surrogate cannot even be read as text, and the body binding's own
    /// <c>invalid_field</c> refuses it first (still a 400 naming the field).
    /// </summary>
    private static string ExpectedRefusal(string apiKey) => HasLoneSurrogate(apiKey) ? "invalid_field" : "validation_failed";

    private static bool HasLoneSurrogate(string text)
    {
        try
        {
            _ = StrictUtf8.GetByteCount(text);
            return false;
        }
        catch (EncoderFallbackException)
        {
            return true;
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    [Fact]
    public async Task A_key_with_whitespace_around_it_is_stored_trimmed_and_sent_as_stored()
    {
        using var user = await UserWithLampAsync();

        using var set = await user.Client.PostAsync("/auth/set_voice_key", KeyBody("\r\n\t " + GoodKey + " \n"), Cancellation);
        set.EnsureSuccessStatusCode();
        using var command = await user.Client.PostAsJsonAsync("/auth/voice_command", new { text = FakeGemini.Commands.LampOn }, Cancellation);

        Assert.Equal(GoodKey, (string?)await StoredKeyAsync(user));
        Assert.Equal(HttpStatusCode.OK, command.StatusCode);
        Assert.Contains(GoodKey, Gemini.KeysReceived);
    }

    public static TheoryData<string, string> BadlyStoredKeys => new()
    {
        // Raw JSON, as an operator or a pre-fix API could have written it. (A lone surrogate the database emulator
        // refuses to store; JsonShapesTests proves it reads as no key rather than an exception.)
        { "CR LF inside", "\"AIzaSyD-abc\\r\\nX-Injected: 1\"" },
        { "NUL inside", "\"AIzaSyD-abc\\u0000def0123\"" },
        { "non-ASCII", "\"AIzaSyD-cl\\u00e9-0123456\"" },
        { "a space inside", "\"AIzaSyD abc def0123\"" },
        { "too short", "\"AIza\"" },
        { "an object", "{\"key\":\"AIzaSyD-abcdef0123\"}" },
        { "an array", "[\"AIzaSyD-abcdef0123\"]" },
        { "true", "true" },
    };

    [Theory]
    [MemberData(nameof(BadlyStoredKeys))]
    public async Task A_voice_command_with_a_badly_stored_key_is_a_400_asking_to_set_it_again_and_nothing_is_sent(string what, string storedJson)
    {
        using var user = await UserWithLampAsync();
        await WriteRawAsync(UserPaths.GeminiKey(user.Uid), storedJson);
        var sentBefore = Gemini.KeysReceived.Count;

        using var response = await user.Client.PostAsJsonAsync("/auth/voice_command", new { text = FakeGemini.Commands.LampOn }, Cancellation);

        var problem = await ProblemResponses.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_voice_key");
        Assert.True(((string?)problem["error"])?.Contains("/auth/set_voice_key", StringComparison.Ordinal) == true, $"{what}: {problem.ToJsonString()}");
        Assert.Equal(sentBefore, Gemini.KeysReceived.Count);
        Assert.Equal("off", (string?)await Api.ReadDatabaseAsync(UserPaths.Field(user.Uid, "venues") + "/Living/Lamp"));
    }

    [Fact]
    public async Task Setting_a_good_key_again_makes_voice_commands_work_after_a_badly_stored_one()
    {
        using var user = await UserWithLampAsync();
        await WriteRawAsync(UserPaths.GeminiKey(user.Uid), "\"AIzaSyD-abc\\r\\ndef0123\"");

        (await user.Client.PostAsJsonAsync("/auth/set_voice_key", new { apiKey = GoodKey }, Cancellation)).EnsureSuccessStatusCode();
        using var command = await user.Client.PostAsJsonAsync("/auth/voice_command", new { text = FakeGemini.Commands.LampOn }, Cancellation);

        Assert.Equal(HttpStatusCode.OK, command.StatusCode);
    }

    /// <summary>Keys from anywhere in UTF-16, from characters that break headers, and near-valid keys with whitespace.</summary>
    private static readonly Gen<string> AnyKey = Gen.Frequency(
        (2, Gen.String[Gen.Char, 0, 60]),
        (3, Gen.String[Gen.Char["\r\n\0\t \u007f\u0085\u00a0\u00e9\u2028\ud800\udfff\"\\AIzaSyD-_0123456789abcXYZ"], 0, 40]),
        (3, Gen.String[Gen.Char['!', '~'], 5, 60]),
        (2, Gen.Select(Gen.String[Gen.Char['!', '~'], 8, 40], Gen.String[Gen.Char[" \t\r\n\u00a0"], 0, 3], (key, space) => space + key + space)));

    [Fact]
    public async Task Any_key_is_answered_200_or_400_and_after_a_200_a_voice_command_is_never_a_5xx()
    {
        using var user = await UserWithLampAsync();
        string? accepted = null;

        await AnyKey.SampleAsync(async apiKey =>
        {
            using var set = await user.Client.PostAsync("/auth/set_voice_key", KeyBody(apiKey), Cancellation);
            Assert.True(set.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"set_voice_key answered {(int)set.StatusCode}");
            var stored = (string?)await StoredKeyAsync(user);
            if (set.StatusCode == HttpStatusCode.BadRequest)
            {
                var problem = await set.ReadProblemAsync(HttpStatusCode.BadRequest);
                Assert.Equal(ExpectedRefusal(apiKey), (string?)problem["code"]);
                Assert.Equal("apiKey", (string?)problem["field"]);
                Assert.Equal(accepted, stored); // nothing written
                return;
            }

            accepted = stored;
            Assert.Equal(apiKey.Trim(), accepted);
            using var command = await user.Client.PostAsJsonAsync("/auth/voice_command", new { text = FakeGemini.Commands.LampOn }, Cancellation);
            Assert.True((int)command.StatusCode < 500, $"voice_command answered {(int)command.StatusCode} for a key set with 200");
            if (command.StatusCode == HttpStatusCode.OK)
            {
                Assert.Equal(accepted, Gemini.KeysReceived.Last());
            }
        }, iter: 150, threads: 1, print: key => string.Concat(key.Select(c => c is < ' ' or > '~' ? $"\\u{(int)c:x4}" : c.ToString())));
    }

    private async Task WriteRawAsync(string path, string json)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{dependencies.Database.Host}/") };
        using var content = ProblemResponses.Json(json);
        using var response = await http.PutAsync($"{path}.json?ns={Api.Namespace}", content, Cancellation);
        response.EnsureSuccessStatusCode();
    }
}
