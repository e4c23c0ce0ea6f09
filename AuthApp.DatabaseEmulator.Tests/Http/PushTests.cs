using System.Net;
using System.Text.Json.Nodes;
using AuthApp.DatabaseEmulator.Tests.Infrastructure;

namespace AuthApp.DatabaseEmulator.Tests.Http;

/// <summary>POST appends a child under a generated key, as the Realtime Database does.</summary>
public sealed class PushTests(EmulatorFixture fixture)
{
    [Fact]
    public async Task A_post_appends_a_child_under_a_20_character_key_that_sorts_in_insertion_order()
    {
        var db = await fixture.NewDatabaseAsync("""{"rules": {".read": false, ".write": false}}""");
        var keys = new List<string>();
        for (var i = 0; i < 25; i++)
        {
            var posted = await db.PostAsync(Identity.Admin, "log", $$"""{"n":{{i}}}""");
            Assert.Equal(HttpStatusCode.OK, posted.Status);
            keys.Add(posted.Json!["name"]!.GetValue<string>());
        }

        Assert.All(keys, key => Assert.Equal(20, key.Length));
        Assert.Equal(keys, keys.Order(StringComparer.Ordinal));
        var stored = (JsonObject)(await db.ReadAsync("log"))!;
        Assert.Equal(25, stored.Count);
        Assert.Equal(7, stored[keys[7]]!["n"]!.GetValue<int>());
    }
}
