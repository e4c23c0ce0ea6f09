using AuthApp.Firebase.Database;

namespace AuthApp.Domain.Tests;

public sealed class UserPathsTests
{
    [Theory]
    [InlineData("victim/venues")]
    [InlineData("a/b")]
    [InlineData("")]
    [InlineData("a.b")]
    [InlineData("a#b")]
    [InlineData("a$b")]
    [InlineData("a[b")]
    [InlineData("a]b")]
    [InlineData("tab\there")]
    public void A_segment_that_is_not_one_database_key_never_becomes_a_path(string segment)
    {
        Assert.Throws<DatabaseKeyException>(() => UserPaths.User(segment));
        Assert.Throws<DatabaseKeyException>(() => UserPaths.Venue("uid", segment));
        Assert.Throws<DatabaseKeyException>(() => UserPaths.Device("uid", "kitchen", segment));
        Assert.Throws<DatabaseKeyException>(() => UserPaths.Schedule(segment, "kitchen", "lamp"));
        Assert.Throws<DatabaseKeyException>(() => UserPaths.Relative.Device("kitchen", segment));
    }

    [Fact]
    public void Paths_follow_the_original_layout()
    {
        Assert.Equal("users/u1/venues/kitchen/lamp", UserPaths.Device("u1", "kitchen", "lamp"));
        Assert.Equal("users/u1/schedules/kitchen/lamp", UserPaths.Schedule("u1", "kitchen", "lamp"));
        Assert.Equal("users/u1/monitoring_venues/0", UserPaths.MonitoringVenue("u1", "0"));
        Assert.Equal("users/u1/secure/gemini_key", UserPaths.GeminiKey("u1"));
        Assert.Equal("schedules/kitchen/lamp/lastNotified", UserPaths.Relative.LastNotified("kitchen", "lamp"));
    }

    [Theory]
    [InlineData("users/u1/venues/kitchen", "u1")]
    [InlineData("/users/u1", "u1")]
    [InlineData("users/u1/", "u1")]
    [InlineData("users", null)]
    [InlineData("users/", null)]
    [InlineData("licenseKeys/k", null)]
    [InlineData("usersX/u1", null)]
    public void The_owner_of_a_path_is_the_uid_after_users(string path, string? owner) =>
        Assert.Equal(owner, UserPaths.OwnerOf(path));
}
