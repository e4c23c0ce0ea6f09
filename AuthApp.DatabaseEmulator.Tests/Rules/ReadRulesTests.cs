using AuthApp.DatabaseEmulator.Rules;
using AuthApp.DatabaseEmulator.Tests.Infrastructure;

namespace AuthApp.DatabaseEmulator.Tests.Rules;

/// <summary><c>.read</c> cascades down, cannot be taken back below, and does not filter.</summary>
public sealed class ReadRulesTests
{
    private const string Stored = """{"public": {"a": 1, "secret": {"b": 2}}, "users": {"alice": {"name": "A"}, "bob": {"name": "B"}}}""";

    private static readonly RuleSet Rules = Judge.Compile("""
        {
          "rules": {
            "public": { ".read": true, "secret": { ".read": false } },
            "users": { "$uid": { ".read": "auth != null && auth.uid === $uid" } },
            "records": { "rec1": { ".read": true } }
          }
        }
        """);

    [Fact]
    public void A_grant_covers_every_location_below_it_and_a_deeper_false_cannot_take_it_back()
    {
        Assert.True(Judge.CanRead(Rules, null, Stored, "public"));
        Assert.True(Judge.CanRead(Rules, null, Stored, "public/secret"));
        Assert.True(Judge.CanRead(Rules, null, Stored, "public/secret/b"));
    }

    [Fact]
    public void Without_a_grant_at_or_above_the_location_a_read_is_refused()
    {
        Assert.False(Judge.CanRead(Rules, "alice", Stored, ""));
        Assert.False(Judge.CanRead(Rules, "alice", Stored, "elsewhere"));
    }

    [Fact]
    public void Rules_are_not_filters_reading_a_parent_is_refused_even_if_a_child_is_readable()
    {
        Assert.True(Judge.CanRead(Rules, null, Stored, "records/rec1"));
        Assert.False(Judge.CanRead(Rules, null, Stored, "records"));
        Assert.False(Judge.CanRead(Rules, "alice", Stored, "users"));
    }

    [Fact]
    public void A_wildcard_captures_the_key_for_the_rule()
    {
        Assert.True(Judge.CanRead(Rules, "alice", Stored, "users/alice"));
        Assert.True(Judge.CanRead(Rules, "alice", Stored, "users/alice/name"));
        Assert.False(Judge.CanRead(Rules, "alice", Stored, "users/bob"));
        Assert.False(Judge.CanRead(Rules, null, Stored, "users/alice"));
    }

    [Fact]
    public void A_named_child_takes_precedence_over_a_wildcard_sibling()
    {
        var rules = Judge.Compile("""{"rules": {"$any": {".read": true}, "closed": {".read": false}}}""");

        Assert.True(Judge.CanRead(rules, null, "null", "open"));
        Assert.False(Judge.CanRead(rules, null, "null", "closed"));
    }

    [Fact]
    public void Read_rules_see_the_stored_data()
    {
        var rules = Judge.Compile("""{"rules": {"posts": {"$post": {".read": "data.child('public').val() === true || root.child('admins/' + auth.uid).exists()"}}}}""");
        const string stored = """{"posts": {"p1": {"public": true}, "p2": {"public": false}}, "admins": {"bob": true}}""";

        Assert.True(Judge.CanRead(rules, "alice", stored, "posts/p1"));
        Assert.False(Judge.CanRead(rules, "alice", stored, "posts/p2"));
        Assert.True(Judge.CanRead(rules, "bob", stored, "posts/p2"));
    }
}
