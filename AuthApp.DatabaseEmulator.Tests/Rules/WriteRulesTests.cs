using AuthApp.DatabaseEmulator.Tests.Infrastructure;

namespace AuthApp.DatabaseEmulator.Tests.Rules;

/// <summary><c>.write</c> cascades down; a deeper grant covers only what it covers; a multi-path update is judged whole.</summary>
public sealed class WriteRulesTests
{
    [Fact]
    public void A_grant_covers_every_location_below_it_and_a_deeper_false_cannot_take_it_back()
    {
        var rules = Judge.Compile("""{"rules": {"a": {".write": true, "b": {".write": false}}}}""");

        Assert.True(Judge.CanWrite(rules, null, "null", ("a/b/c", "1")));
        Assert.True(Judge.CanWrite(rules, null, "null", ("a", """{"b": {"c": 1}}""")));
        Assert.False(Judge.CanWrite(rules, null, "null", ("z", "1")));
    }

    [Fact]
    public void A_deeper_grant_allows_a_write_above_it_only_when_it_covers_every_child_written()
    {
        var rules = Judge.Compile("""{"rules": {"a": {"b": {".write": true}}}}""");

        Assert.True(Judge.CanWrite(rules, null, "null", ("a/b", "1")));
        Assert.True(Judge.CanWrite(rules, null, "null", ("a", """{"b": 1}""")));
        Assert.False(Judge.CanWrite(rules, null, "null", ("a", """{"b": 1, "c": 2}""")));
    }

    [Fact]
    public void Replacing_or_deleting_stored_children_needs_a_grant_for_each_of_them()
    {
        var rules = Judge.Compile("""{"rules": {"a": {"b": {".write": true}}}}""");
        const string stored = """{"a": {"b": 1, "c": 2}}""";

        Assert.False(Judge.CanWrite(rules, null, stored, ("a", """{"b": 5}""")));
        Assert.False(Judge.CanWrite(rules, null, stored, ("a", null)));
        Assert.True(Judge.CanWrite(rules, null, stored, ("a/b", null)));
    }

    [Fact]
    public void A_write_that_changes_nothing_still_needs_a_grant()
    {
        var rules = Judge.Compile("""{"rules": {"a": {"b": {".write": true}}}}""");
        const string stored = """{"a": {"c": 1}}""";

        Assert.False(Judge.CanWrite(rules, null, stored, ("a/c", "1")));
        Assert.False(Judge.CanWrite(rules, null, stored, ("a", """{"c": 1}""")));
        Assert.False(Judge.CanWrite(rules, null, "null", ("a", null)));
    }

    [Fact]
    public void Replacing_a_stored_leaf_with_an_object_needs_a_grant_at_the_leaf()
    {
        var rules = Judge.Compile("""{"rules": {"a": {"b": {".write": true}}}}""");

        Assert.False(Judge.CanWrite(rules, null, """{"a": "leaf"}""", ("a", """{"b": 1}""")));
        Assert.True(Judge.CanWrite(rules, null, """{"a": "leaf"}""", ("a/b", "1")));
    }

    [Fact]
    public void A_multi_path_update_is_allowed_only_when_every_path_is()
    {
        var rules = Judge.Compile("""{"rules": {"users": {"$uid": {".write": "auth.uid === $uid"}}}}""");

        Assert.True(Judge.CanWrite(rules, "alice", "null", ("users/alice/x", "1"), ("users/alice/y", "2")));
        Assert.False(Judge.CanWrite(rules, "alice", "null", ("users/alice/x", "1"), ("users/bob/x", "1")));
    }

    [Fact]
    public void Write_rules_compare_the_data_before_and_after()
    {
        var createOnly = Judge.Compile("""{"rules": {"$item": {".write": "!data.exists()"}}}""");
        var deleteOnly = Judge.Compile("""{"rules": {"$item": {".write": "data.exists() && !newData.exists()"}}}""");
        const string stored = """{"taken": 1}""";

        Assert.True(Judge.CanWrite(createOnly, null, stored, ("fresh", "1")));
        Assert.False(Judge.CanWrite(createOnly, null, stored, ("taken", "2")));
        Assert.True(Judge.CanWrite(deleteOnly, null, stored, ("taken", null)));
        Assert.False(Judge.CanWrite(deleteOnly, null, stored, ("taken", "2")));
    }

    [Fact]
    public void A_denial_says_which_rule_refused_and_where()
    {
        var rules = Judge.Compile("""{"rules": {"users": {"$uid": {".write": "auth.uid === $uid"}}}}""");

        var verdict = Judge.Write(rules, Judge.Auth("alice"), "null", ("users/bob/name", "\"x\""));

        Assert.False(verdict.Allowed);
        Assert.Equal("no .write rule covers every location written at /users/bob/name (last rule: /rules/users/$uid/.write = \"auth.uid === $uid\" at /users/bob gave false)", verdict.Reason);
    }
}
