using System.Net;
using System.Text.Json.Nodes;
using AuthApp.DatabaseEmulator.Tests.Infrastructure;

namespace AuthApp.DatabaseEmulator.Tests.ProductRules;

/// <summary>
/// <c>firebase/database.rules.json</c>, location by location: the owner allowed, another signed-in user refused,
/// an anonymous client refused, invalid values refused by <c>.validate</c>, the server's admin credential allowed.
/// A refusal is always Firebase's 401 and leaves the data as it was.
/// </summary>
public sealed class UserDataRulesTests(EmulatorFixture fixture)
{
    [Theory]
    [MemberData(nameof(ProductData.OwnerReadable), MemberType = typeof(ProductData))]
    public async Task The_owner_can_read_their_own(string path)
    {
        var db = await ProductData.SeededAsync(fixture);

        var reply = await db.GetAsync(db.User("alice"), $"users/alice/{path}");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.True(JsonNode.DeepEquals(await db.ReadAsync($"users/alice/{path}"), reply.Json), reply.Body);
    }

    [Theory]
    [MemberData(nameof(ProductData.OwnerReadable), MemberType = typeof(ProductData))]
    [MemberData(nameof(ProductData.ServerOnlyInUser), MemberType = typeof(ProductData))]
    public async Task Another_user_cannot_read_my(string path)
    {
        var db = await ProductData.SeededAsync(fixture);

        Assert.Equal(HttpStatusCode.Unauthorized, (await db.GetAsync(db.User("bob"), $"users/alice/{path}")).Status);
    }

    [Theory]
    [MemberData(nameof(ProductData.OwnerReadable), MemberType = typeof(ProductData))]
    [MemberData(nameof(ProductData.ServerOnlyInUser), MemberType = typeof(ProductData))]
    public async Task An_anonymous_client_cannot_read_a_users(string path)
    {
        var db = await ProductData.SeededAsync(fixture);

        Assert.Equal(HttpStatusCode.Unauthorized, (await db.GetAsync(Identity.Anonymous, $"users/alice/{path}")).Status);
    }

    [Theory]
    [MemberData(nameof(ProductData.ServerOnlyInUser), MemberType = typeof(ProductData))]
    public async Task The_owner_cannot_read_their_server_only(string path)
    {
        var db = await ProductData.SeededAsync(fixture);

        Assert.Equal(HttpStatusCode.Unauthorized, (await db.GetAsync(db.User("alice"), $"users/alice/{path}")).Status);
    }

    [Theory]
    [MemberData(nameof(ProductData.ServerOnlyElsewhere), MemberType = typeof(ProductData))]
    public async Task No_client_reads_or_writes_server_data(string path)
    {
        var db = await ProductData.SeededAsync(fixture);
        var before = await db.ReadAsync(path);

        foreach (var who in new[] { db.User("alice"), Identity.Anonymous })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await db.GetAsync(who, path)).Status);
            Assert.Equal(HttpStatusCode.Unauthorized, (await db.PutAsync(who, $"{path}/x", "\"x\"")).Status);
            Assert.Equal(HttpStatusCode.Unauthorized, (await db.DeleteAsync(who, path)).Status);
        }

        Assert.True(JsonNode.DeepEquals(before, await db.ReadAsync(path)));
    }

    [Theory]
    [MemberData(nameof(ProductData.OwnerWritable), MemberType = typeof(ProductData))]
    public async Task The_owner_can_write_a_valid(string path, string json)
    {
        var db = await ProductData.SeededAsync(fixture);

        var reply = await db.PutAsync(db.User("alice"), $"users/alice/{path}", json);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(json), await db.ReadAsync($"users/alice/{path}")), reply.Body);
    }

    [Theory]
    [MemberData(nameof(ProductData.OwnerWritable), MemberType = typeof(ProductData))]
    public async Task Another_user_cannot_write_my(string path, string json)
    {
        var db = await ProductData.SeededAsync(fixture);

        await AssertRefusedAsync(db, db.User("bob"), HttpMethod.Put, $"users/alice/{path}", json);
    }

    [Theory]
    [MemberData(nameof(ProductData.OwnerWritable), MemberType = typeof(ProductData))]
    public async Task An_anonymous_client_cannot_write_a_users(string path, string json)
    {
        var db = await ProductData.SeededAsync(fixture);

        await AssertRefusedAsync(db, Identity.Anonymous, HttpMethod.Put, $"users/alice/{path}", json);
    }

    [Theory]
    [MemberData(nameof(ProductData.Invalid), MemberType = typeof(ProductData))]
    public async Task Validation_refuses_an_invalid(string path, string json)
    {
        var db = await ProductData.SeededAsync(fixture);

        await AssertRefusedAsync(db, db.User("alice"), HttpMethod.Put, $"users/alice/{path}", json);
    }

    [Theory]
    [MemberData(nameof(ProductData.ServerWritten), MemberType = typeof(ProductData))]
    public async Task The_owner_cannot_write_their_server_written(string path, string json)
    {
        var db = await ProductData.SeededAsync(fixture);

        await AssertRefusedAsync(db, db.User("alice"), HttpMethod.Put, $"users/alice/{path}", json);
        await AssertRefusedAsync(db, db.User("alice"), HttpMethod.Delete, $"users/alice/{path}", null);
    }

    [Theory]
    [MemberData(nameof(ProductData.ServerWritten), MemberType = typeof(ProductData))]
    public async Task The_admin_writes_what_clients_cannot(string path, string json)
    {
        var db = await ProductData.SeededAsync(fixture);

        Assert.Equal(HttpStatusCode.OK, (await db.PutAsync(Identity.Admin, $"users/alice/{path}", json)).Status);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(json), await db.ReadAsync($"users/alice/{path}")));
    }

    [Fact]
    public async Task The_owner_cannot_replace_or_delete_their_whole_user_document()
    {
        var db = await ProductData.SeededAsync(fixture);

        await AssertRefusedAsync(db, db.User("alice"), HttpMethod.Put, "users/alice", """{"name": "Alice"}""");
        await AssertRefusedAsync(db, db.User("alice"), HttpMethod.Delete, "users/alice", null);
    }

    [Theory]
    [InlineData("venues/Living/Lamp")]
    [InlineData("venues/Living")]
    [InlineData("venues")]
    [InlineData("schedules/Living/Lamp")]
    [InlineData("schedules")]
    [InlineData("monitoring_venues/Kitchen/humidity")]
    [InlineData("monitoring_venues")]
    [InlineData("fcmToken")]
    [InlineData("timeZone")]
    public async Task The_owner_can_delete_their_own(string path)
    {
        var db = await ProductData.SeededAsync(fixture);

        Assert.Equal(HttpStatusCode.OK, (await db.DeleteAsync(db.User("alice"), $"users/alice/{path}")).Status);
        Assert.Null(await db.ReadAsync($"users/alice/{path}"));
    }

    [Theory]
    [InlineData("schedules/Living/Lamp/time")]
    [InlineData("schedules/Living/Lamp/action")]
    [InlineData("schedules/Living/Lamp/status")]
    public async Task Deleting_a_field_a_schedule_needs_is_refused(string path)
    {
        var db = await ProductData.SeededAsync(fixture);

        await AssertRefusedAsync(db, db.User("alice"), HttpMethod.Delete, $"users/alice/{path}", null);
    }

    [Fact]
    public async Task The_owner_can_add_devices_and_schedules_with_post_patch_and_multi_path_updates()
    {
        var db = await ProductData.SeededAsync(fixture);
        var alice = db.User("alice");

        // What the API's delete-device does in one update: the device and its schedule go, the venue keeps its marker.
        var deleteDevice = await db.PatchAsync(alice, "users/alice", """{"venues/Living/Lamp": null, "venues/Living/__created": true, "schedules/Living/Lamp": null}""");
        var addDevice = await db.PatchAsync(alice, "users/alice/venues/Living", """{"Heater": "2"}""");
        var schedule = await db.PatchAsync(alice, "users/alice/schedules/Living/Heater", """{"time": "6:00 AM", "action": "on", "status": "enable"}""");
        var posted = await db.PostAsync(alice, "users/alice/monitoring_venues/Kitchen", "\"12\"");

        Assert.All([deleteDevice, addDevice, schedule, posted], reply => Assert.Equal(HttpStatusCode.OK, reply.Status));
        Assert.Null(await db.ReadAsync("users/alice/venues/Living/Lamp"));
        Assert.Equal("\"2\"", (await db.ReadAsync("users/alice/venues/Living/Heater"))!.ToJsonString());
    }

    [Fact]
    public async Task A_multi_path_update_reaching_another_user_is_refused_as_a_whole()
    {
        var db = await ProductData.SeededAsync(fixture);

        await AssertRefusedAsync(db, db.User("alice"), HttpMethod.Patch, "users", """{"alice/name": "Alice 2", "bob/name": "Bob 2"}""");
        Assert.Equal("\"alice\"", (await db.ReadAsync("users/alice/name"))!.ToJsonString());
    }

    [Fact]
    public async Task A_multi_path_update_with_one_invalid_value_is_refused_as_a_whole()
    {
        var db = await ProductData.SeededAsync(fixture);

        await AssertRefusedAsync(db, db.User("alice"), HttpMethod.Patch, "users/alice", """{"name": "Alice 2", "venues/Living/Lamp": "blink"}""");
    }

    [Fact]
    public async Task A_schedule_edit_that_leaves_it_incomplete_is_refused()
    {
        var db = await ProductData.SeededAsync(fixture);

        await AssertRefusedAsync(db, db.User("alice"), HttpMethod.Patch, "users/alice/schedules/Living/Lamp", """{"status": null, "time": "8:00"}""");
    }

    /// <summary>Refused with Firebase's 401, and the whole user document unchanged.</summary>
    internal static async Task AssertRefusedAsync(RulesDatabase db, Identity who, HttpMethod method, string path, string? json)
    {
        var before = await db.ReadAsync("users");

        var reply = await db.SendAsync(method, who, path, json);

        Assert.True(reply.Status == HttpStatusCode.Unauthorized, $"{who} {method} {path} {json}: {reply}");
        Assert.Equal("Permission denied", reply.Error);
        Assert.True(JsonNode.DeepEquals(before, await db.ReadAsync("users")), $"{who} {method} {path} changed the data");
    }
}
