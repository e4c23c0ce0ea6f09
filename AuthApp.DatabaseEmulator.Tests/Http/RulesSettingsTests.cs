using System.Net;
using AuthApp.DatabaseEmulator.Tests.Infrastructure;

namespace AuthApp.DatabaseEmulator.Tests.Http;

/// <summary><c>/.settings/rules.json</c>: how rules are loaded into a namespace, as the official emulator takes them.</summary>
public sealed class RulesSettingsTests(EmulatorFixture fixture)
{
    private const string ReadOpen = """{"rules": {".read": true}}""";

    [Fact]
    public async Task Rules_put_into_a_namespace_judge_that_namespace_only()
    {
        var closed = await fixture.NewDatabaseAsync("""{"rules": {".read": false}}""");
        var open = await fixture.NewDatabaseAsync(ReadOpen);

        Assert.Equal(HttpStatusCode.Unauthorized, (await closed.GetAsync(Identity.Anonymous, "x")).Status);
        Assert.Equal(HttpStatusCode.OK, (await open.GetAsync(Identity.Anonymous, "x")).Status);
    }

    [Fact]
    public async Task Only_the_admin_reads_or_replaces_the_rules()
    {
        var db = await fixture.NewDatabaseAsync(ReadOpen);

        var userGet = await db.SendRawAsync(HttpMethod.Get, db.User("alice"), "/.settings/rules.json", null, "");
        var anonymousPut = await db.SendRawAsync(HttpMethod.Put, Identity.Anonymous, "/.settings/rules.json", """{"rules": {".write": true}}""", "");
        var adminGet = await db.SendRawAsync(HttpMethod.Get, Identity.Admin, "/.settings/rules.json", null, "");

        Assert.Equal(HttpStatusCode.Unauthorized, userGet.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymousPut.Status);
        Assert.Equal(HttpStatusCode.OK, adminGet.Status);
        Assert.True(adminGet.Json!["rules"]![".read"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.Unauthorized, (await db.PutAsync(Identity.Anonymous, "x", "1")).Status);
    }

    [Fact]
    public async Task Rules_that_do_not_compile_are_a_400_naming_the_location_and_the_old_rules_stay()
    {
        Assert.SkipWhen(fixture.IsExternal, "This emulator's wording.");
        var db = await fixture.NewDatabaseAsync(ReadOpen);

        var reply = await db.SendRawAsync(HttpMethod.Put, Identity.Admin, "/.settings/rules.json", """{"rules": {"a": {".read": "auth.uid ==="}}}""", "");

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.StartsWith("/.settings/rules.json: /rules/a/.read, column 13: expected a value, found the end of the expression", reply.Error, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await db.GetAsync(Identity.Anonymous, "x")).Status);
    }
}
