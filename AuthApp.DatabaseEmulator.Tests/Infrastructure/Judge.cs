using System.Text.Json;
using System.Text.Json.Nodes;
using AuthApp.DatabaseEmulator.Auth;
using AuthApp.DatabaseEmulator.Rules;
using AuthApp.DatabaseEmulator.Rules.Access;
using AuthApp.DatabaseEmulator.Rules.Expressions;
using AuthApp.DatabaseEmulator.Tree;
using Microsoft.Extensions.Time.Testing;

namespace AuthApp.DatabaseEmulator.Tests.Infrastructure;

/// <summary>The rules engine without HTTP: compile a document, then judge reads and writes against a tree.</summary>
internal static class Judge
{
    public static readonly long NowMs = EmulatorFixture.Start.ToUnixTimeMilliseconds();

    public static RuleSet Compile(string rules) => RuleSet.Parse(rules, "test.rules.json");

    /// <summary>The rules' <c>auth</c> for <paramref name="uid"/>, decoded from a test token as the emulator decodes it; null signs out.</summary>
    public static RuleValue Auth(string? uid, JsonObject? claims = null)
    {
        if (uid is null)
        {
            return RuleValue.Null;
        }

        var failure = IdTokens.TryDecode(Identity.TokenFor(uid, new FakeTimeProvider(EmulatorFixture.Start), claims: claims), NowMs, out var auth);
        Assert.Equal(IdTokens.Failure.None, failure);
        return auth;
    }

    public static bool CanRead(RuleSet rules, string? uid, string storedJson, string path) =>
        Read(rules, Auth(uid), storedJson, path).Allowed;

    public static Verdict Read(RuleSet rules, RuleValue auth, string storedJson, string path) =>
        AccessJudge.Read(rules.Root, auth, NowMs, Stored(storedJson), Segments(path));

    public static bool CanWrite(RuleSet rules, string? uid, string storedJson, params (string Path, string? Json)[] writes) =>
        Write(rules, Auth(uid), storedJson, writes).Allowed;

    /// <summary>Writes as the REST handler prepares them: normalized (server values resolved) against the stored tree.</summary>
    public static Verdict Write(RuleSet rules, RuleValue auth, string storedJson, params (string Path, string? Json)[] writes)
    {
        var stored = Stored(storedJson);
        var pending = writes
            .Select(w => new PendingWrite(Segments(w.Path), JsonTree.Normalize(w.Json is null ? null : JsonNode.Parse(w.Json), JsonTree.GetAt(stored, Segments(w.Path)), NowMs)))
            .ToList();
        return AccessJudge.Write(rules.Root, auth, NowMs, new PendingWrites(stored, pending));
    }

    /// <summary>
    /// Evaluates one expression as the <c>.write</c> rule of <c>/node</c> for a write of <paramref name="newValue"/>
    /// over <paramref name="storedJson"/> (the whole tree), signed in as alice unless told otherwise.
    /// </summary>
    public static bool Evaluate(string expression, string storedJson = "null", string? newValue = "true", string? uid = "alice")
    {
        return CanWrite(Compile(WriteRule(expression)), uid, storedJson, ("node", newValue));
    }

    /// <summary>A rules document whose only rule is <paramref name="expression"/> as the <c>.write</c> of <c>/node</c>.</summary>
    public static string WriteRule(string expression) =>
        "{\"rules\": {\"node\": {\".write\": " + JsonSerializer.Serialize(expression) + "}}}";

    public static string[] Segments(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);

    private static JsonNode? Stored(string json) => JsonTree.Normalize(JsonNode.Parse(json), null, NowMs);
}
