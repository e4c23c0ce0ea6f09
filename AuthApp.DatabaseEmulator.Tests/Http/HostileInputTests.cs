using System.Buffers.Text;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AuthApp.DatabaseEmulator.Rules;
using AuthApp.DatabaseEmulator.Tests.Infrastructure;
using AuthApp.DatabaseEmulator.Tests.ProductRules;
using CsCheck;

namespace AuthApp.DatabaseEmulator.Tests.Http;

/// <summary>
/// Random and mutated requests against the product rules: tokens, paths, bodies and query strings. Whatever arrives,
/// the answer is served or a 4xx, never a 5xx, and a refused request leaves the data exactly as it was.
/// </summary>
public sealed class HostileInputTests(EmulatorFixture fixture)
{
    private static readonly string[] Segments =
    [
        "users", "alice", "bob", "venues", "schedules", "monitoring_venues", "Living", "Lamp", "Kitchen", "time", "status",
        "timeZone", "name", "email", "secure", "gemini_key", "licenseKeys", "KEY-1", "scheduleIndex", "__created", "faults",
    ];

    private static readonly string[] Bodies =
    [
        "\"on\"", "\"off\"", "\"5\"", "\"6\"", "5", "true", "null", "{}", "[]", "[1,2]", "\"\\ud800\"", "1e999", "-0", "{\"a.b\": 1}",
        """{"time": "07:30 AM", "action": "on", "status": "enable"}""", """{"time": "25:99", "action": "on", "status": "enable"}""",
        """{".sv": "timestamp"}""", """{".sv": {"increment": 1}}""", """{".sv": "nonsense"}""", """{".value": "x", ".priority": 1}""",
        """{"Lamp": "on", "__created": true}""", """{"alice/name": "x", "bob/name": "y"}""", """{"": 1}""", "{\"a\":", "not json", "",
        new string('[', 300) + new string(']', 300), "\"" + new string('x', 5000) + "\"",
    ];

    private static readonly Gen<string> Text = Gen.String[Gen.Char[" !\"#$%&'()*+,-./0123456789:;<=>?@AZaz[\\]^_`{|}~é\u0000\u007f\ud800"], 0, 12];

    private static readonly Gen<string> Segment = Gen.Frequency<string>((4, Gen.OneOf(Segments)), (1, Text));

    private static readonly Gen<string> Path = Segment.Array[0, 6].Select(parts => string.Join('/', parts.Select(Uri.EscapeDataString)));

    private static readonly Gen<string> Body = Gen.Frequency<string>((4, Gen.OneOf(Bodies)), (1, Text));

    private static readonly Gen<string> Query = Gen.OneOf(
        "", "print=silent", "shallow=true", "orderBy=%22%24key%22&limitToFirst=2", "orderBy=%22email%22&equalTo=%22a%22",
        "orderBy=nope", "startAt=1", "access_token=owner", "access_token=ya29.x", "auth=", "ns=", "x-http-method-override=DELETE");

    [Fact]
    public async Task Any_request_is_served_or_refused_with_a_4xx_and_a_refusal_writes_nothing()
    {
        Assert.SkipWhen(fixture.IsExternal, "A property of this emulator.");
        var db = await ProductData.SeededAsync(fixture);
        var valid = Identity.TokenFor("alice", db.Clock);
        var credential = Gen.OneOf<Identity>(
            Gen.Const(Identity.Anonymous),
            Gen.Const(db.User("alice")),
            Gen.Const(db.User("bob")),
            Gen.Int[0, valid.Length - 1].Select(Text, (at, insert) => new Identity("mutated", BearerToken: Header(valid[..at] + insert + valid[(at + 1)..]))),
            Gen.Int[0, valid.Length - 1].Select(Text, (at, insert) => new Identity("mutated", AuthParameter: valid[..at] + insert + valid[(at + 1)..])),
            Gen.Int[1, valid.Length].Select(length => new Identity("truncated", AuthParameter: valid[..length])),
            Text.Select(text => new Identity("random", BearerToken: Header(text))),
            Claims.Select(claims => new Identity("forged", BearerToken: $"{B64("""{"alg":"none"}""")}.{B64(claims)}.")));
        var method = Gen.OneOf(HttpMethod.Get, HttpMethod.Put, HttpMethod.Patch, HttpMethod.Post, HttpMethod.Delete);
        var request = Gen.Select(credential, method, Path, Body, Query);

        await request.SampleAsync(async (Identity who, HttpMethod verb, string path, string body, string query) =>
        {
            var before = await RootAsync(db);

            var reply = await db.SendRawAsync(verb, who, $"/{path}.json", verb == HttpMethod.Get || verb == HttpMethod.Delete ? null : body, query);

            Assert.True((int)reply.Status < 500, $"{who} {verb} /{path}.json?{query} {body}: {reply}");
            if ((int)reply.Status >= 400)
            {
                Assert.True(JsonNode.DeepEquals(before, await RootAsync(db)), $"{who} {verb} /{path}.json?{query} {body} was refused ({reply}) but changed the data");
            }
        }, iter: 500, threads: 1);
    }

    public static TheoryData<string, string, string, string?> Poison { get; } = new()
    {
        { "a lone surrogate in a string", "users/alice/name", "", "\"\\ud800\"" },
        { "a lone surrogate in a key", "users/alice/venues", "", "{\"\\udc00\": 1}" },
        { "a number beyond double", "users/alice/monitoring_venues/Kitchen/temperature", "", "1e999" },
        { "a lone surrogate in a query bound", "users", "orderBy=%22%24key%22&startAt=%22%5Cud800%22", null },
        { "a lone surrogate in orderBy", "users", "orderBy=%22%5Cud800%22", null },
    };

    [Theory]
    [MemberData(nameof(Poison))]
    public async Task Text_that_parses_but_cannot_be_read_is_a_400(string what, string path, string query, string? body)
    {
        Assert.SkipWhen(fixture.IsExternal, "A property of this emulator.");
        var db = await ProductData.SeededAsync(fixture);

        var reply = await db.SendRawAsync(body is null ? HttpMethod.Get : HttpMethod.Put, Identity.Admin, $"/{path}.json", body, query);

        Assert.True(reply.Status == HttpStatusCode.BadRequest, $"{what}: {reply}");
    }

    [Fact]
    public async Task A_body_that_is_not_utf8_is_a_400()
    {
        Assert.SkipWhen(fixture.IsExternal, "A property of this emulator.");
        var db = await ProductData.SeededAsync(fixture);
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/users/alice/name.json?ns={db.Namespace}")
        {
            Content = new ByteArrayContent([(byte)'"', 0xff, 0xfe, (byte)'"']),
        };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer owner");

        using var response = await fixture.Http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    /// <summary>Rules documents are input too (the settings endpoint): any text compiles or fails with a RulesException, and compiled rules never throw.</summary>
    [Fact]
    public void Any_rule_expression_compiles_or_is_refused_and_never_throws_when_evaluated()
    {
        var token = Gen.OneOf(
            "auth", "auth.uid", "auth.token.x", "now", "root", "data", "newData", "$v", "query", ".", "val()", "child('a')", "child(", "parent()",
            "exists()", "hasChildren(['a'])", "hasChildren()", "isString()", "length", "matches(/^[a-z]+$/i)", "/a(/", "contains('a')",
            "'a'", "\"b\"", "'\\u00e9'", "1", "0", "1.5e3", "null", "true", "false", "(", ")", "[", "]", ",", "!", "-", "+", "*", "/",
            "%", "==", "===", "!=", "<", "<=", ">", ">=", "&&", "||", "?", ":", " ", "'", "\\", "#");
        var expression = token.Array[1, 12].Select(parts => string.Concat(parts));
        var tree = Gen.OneOf("null", """{"v": {"a": "x"}}""", """{"v": 5}""", """{"v": {"a": {"b": true}}, "a": "v"}""");

        Gen.Select(expression, tree).Sample((string text, string stored) =>
        {
            RuleSet rules;
            try
            {
                var rule = System.Text.Json.JsonSerializer.Serialize(text);
                rules = Judge.Compile("{\"rules\": {\"$v\": {\".read\": " + rule + ", \".write\": true, \".validate\": " + rule + "}}}");
            }
            catch (RulesException)
            {
                return;
            }

            Judge.Read(rules, Judge.Auth("alice"), stored, "v/a");
            Judge.Read(rules, Judge.Auth(null), stored, "v");
            Judge.Write(rules, Judge.Auth("alice"), stored, ("v", """{"a": "y"}"""));
            Judge.Write(rules, Judge.Auth(null), stored, ("v/a", null));
        }, iter: 3000);
    }

    private static Gen<string> Claims { get; } = Gen.Select(
        Gen.OneOf("\"sub\":\"alice\"", "\"sub\":\"\"", "\"sub\":5", "\"sub\":null", "", "\"sub\":\"" + new string('a', 200) + "\""),
        Gen.OneOf("\"exp\":99999999999", "\"exp\":1", "\"exp\":\"x\"", "\"exp\":1e400", ""),
        Gen.OneOf("", "\"firebase\":{\"sign_in_provider\":\"google.com\"}", "\"firebase\":7", "\"x\":\"\\ud800\"", "\"a\":[[[[1]]]]"),
        (sub, exp, extra) => "{" + string.Join(',', new[] { sub, exp, extra }.Where(part => part.Length > 0)) + "}");

    /// <summary>An HTTP client only sends printable ASCII in a header (the server would refuse the rest with a 400 anyway).</summary>
    private static string Header(string text)
    {
        var ascii = new string([.. text.Where(c => c is > ' ' and < '\x7f')]);
        return ascii.Length == 0 ? "x" : ascii;
    }

    private static async Task<JsonNode?> RootAsync(RulesDatabase db) => (await db.GetAsync(Identity.Admin, "")).Json;

    private static string B64(string text) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));
}
