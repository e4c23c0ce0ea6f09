using AuthApp.DatabaseEmulator.Rules;
using AuthApp.DatabaseEmulator.Tests.Infrastructure;

namespace AuthApp.DatabaseEmulator.Tests.Rules;

/// <summary><c>.validate</c>: after a write is granted, every validate of the new data must pass; none cascades; deletes skip them.</summary>
public sealed class ValidateRulesTests
{
    // The docs' widget example.
    private static readonly RuleSet Widgets = Judge.Compile("""
        {
          "rules": {
            ".write": true,
            "widget": {
              ".validate": "newData.hasChildren(['color', 'size'])",
              "size": { ".validate": "newData.isNumber() && newData.val() >= 0 && newData.val() <= 99" },
              "color": { ".validate": "root.child('valid_colors/' + newData.val()).exists()" }
            }
          }
        }
        """);

    private const string Colors = """{"valid_colors": {"red": true, "blue": true}}""";

    [Fact]
    public void Every_validate_of_the_written_nodes_must_pass()
    {
        Assert.True(Judge.CanWrite(Widgets, null, Colors, ("widget", """{"color": "red", "size": 5}""")));
        Assert.False(Judge.CanWrite(Widgets, null, Colors, ("widget", """{"color": "red", "size": 100}""")));
        Assert.False(Judge.CanWrite(Widgets, null, Colors, ("widget", """{"color": "green", "size": 5}""")));
        Assert.False(Judge.CanWrite(Widgets, null, Colors, ("widget", """{"color": "red"}""")));
    }

    [Fact]
    public void The_validates_above_a_partial_write_see_the_merged_result()
    {
        const string stored = """{"valid_colors": {"red": true}, "widget": {"color": "red", "size": 5}}""";

        Assert.True(Judge.CanWrite(Widgets, null, stored, ("widget/size", "7")));
        Assert.False(Judge.CanWrite(Widgets, null, stored, ("widget/size", "700")));
        Assert.False(Judge.CanWrite(Widgets, null, stored, ("widget/size", null)));
    }

    [Fact]
    public void Validate_is_not_evaluated_for_deleted_data()
    {
        const string stored = """{"valid_colors": {"red": true}, "widget": {"color": "red", "size": 5}}""";

        Assert.True(Judge.CanWrite(Widgets, null, stored, ("widget", null)));
    }

    [Fact]
    public void A_passing_validate_above_does_not_excuse_a_failing_one_below()
    {
        var rules = Judge.Compile("""{"rules": {".write": true, "a": {".validate": true, "b": {".validate": false}}}}""");

        Assert.False(Judge.CanWrite(rules, null, "null", ("a", """{"b": 1}""")));
        Assert.True(Judge.CanWrite(rules, null, "null", ("a", """{"c": 1}""")));
    }

    [Fact]
    public void A_wildcard_validate_false_refuses_unknown_children()
    {
        var rules = Judge.Compile("""{"rules": {".write": true, "s": {"known": {".validate": true}, "$other": {".validate": false}}}}""");

        Assert.True(Judge.CanWrite(rules, null, "null", ("s", """{"known": 1}""")));
        Assert.False(Judge.CanWrite(rules, null, "null", ("s", """{"known": 1, "unknown": 2}""")));
    }

    [Fact]
    public void A_validate_alone_grants_nothing()
    {
        var rules = Judge.Compile("""{"rules": {"a": {".validate": true}}}""");

        Assert.False(Judge.CanWrite(rules, null, "null", ("a", "1")));
    }

    [Fact]
    public void Every_rule_of_a_multi_path_update_sees_the_whole_update_as_new_data()
    {
        var rules = Judge.Compile("""{"rules": {".write": true, "pair": {".validate": "newData.child('a').val() === newData.child('b').val()"}}}""");
        const string stored = """{"pair": {"a": 0, "b": 0}}""";

        Assert.True(Judge.CanWrite(rules, null, stored, ("pair/a", "1"), ("pair/b", "1")));
        Assert.False(Judge.CanWrite(rules, null, stored, ("pair/a", "1")));
    }

    [Fact]
    public void Wildcards_capture_keys_for_validation()
    {
        var rules = Judge.Compile("""{"rules": {".write": true, "$venue": {".validate": "$venue.length <= 5", "$device": {".validate": "$device.beginsWith($venue)"}}}}""");

        Assert.True(Judge.CanWrite(rules, null, "null", ("hall", """{"hall-1": "on"}""")));
        Assert.False(Judge.CanWrite(rules, null, "null", ("hall", """{"lamp": "on"}""")));
        Assert.False(Judge.CanWrite(rules, null, "null", ("kitchen", """{"kitchen-1": "on"}""")));
    }
}
