using AuthApp.DatabaseEmulator.Rules;
using AuthApp.DatabaseEmulator.Tests.Infrastructure;

namespace AuthApp.DatabaseEmulator.Tests.Expressions;

/// <summary>root, data, newData and the RuleDataSnapshot methods (the rule is /node's .write; the stored tree is given whole).</summary>
public sealed class SnapshotMethodTests
{
    private const string Stored = """
        {"node": {"name": "Ada", "age": 36, "admin": true, "address": {"city": "London"}}, "other": 1}
        """;

    [Theory]
    [InlineData("data.child('name').val() === 'Ada'")]
    [InlineData("data.child('age').val() === 36")]
    [InlineData("data.child('admin').val() === true")]
    [InlineData("data.child('address/city').val() === 'London'")]
    [InlineData("data.child('address').child('city').val() === 'London'")]
    [InlineData("data.child('missing').val() === null")]
    [InlineData("data.child('address').val() != null")]
    [InlineData("root.child('other').val() === 1")]
    [InlineData("data.parent().child('other').val() === 1")]
    [InlineData("data.child('address/city').parent().parent().child('name').val() === 'Ada'")]
    [InlineData("data.exists() && !data.child('missing').exists()")]
    [InlineData("data.hasChild('name') && data.hasChild('address/city') && !data.hasChild('missing')")]
    [InlineData("data.hasChildren() && data.hasChildren(['name', 'age']) && !data.hasChildren(['name', 'missing'])")]
    [InlineData("!data.child('name').hasChildren() && data.hasChildren([])")]
    [InlineData("data.child('name').isString() && !data.child('name').isNumber() && !data.child('name').isBoolean()")]
    [InlineData("data.child('age').isNumber() && data.child('admin').isBoolean() && !data.isString()")]
    [InlineData("data.getPriority() === null")]
    public void Snapshot_methods_read_the_stored_data(string expression) =>
        Assert.True(Judge.Evaluate(expression, Stored));

    [Theory]
    [InlineData("data.child('address').val() == 'London'")]
    [InlineData("data.child('address').val() != 'London'")]
    [InlineData("root.parent().exists()")]
    [InlineData("!root.parent().exists()")]
    [InlineData("data.child(data.child('name').val() + '.b').exists()")]
    [InlineData("!data.child(data.child('name').val() + '.b').exists()")]
    [InlineData("!data.child('' + '').exists()")]
    [InlineData("!data.child(data.child('age').val()).exists()")]
    public void Misusing_a_snapshot_at_run_time_makes_the_rule_false(string expression) =>
        Assert.False(Judge.Evaluate(expression, Stored));

    [Fact]
    public void NewData_is_the_location_after_the_write_and_data_and_root_are_before_it()
    {
        Assert.True(Judge.Evaluate("data.val() === 1 && newData.val() === 2 && root.child('node').val() === 1", """{"node": 1}""", "2"));
        Assert.True(Judge.Evaluate("newData.parent().child('other').val() === 'kept'", """{"node": 1, "other": "kept"}""", "2"));
        Assert.True(Judge.Evaluate("newData.child('a').val() === 1 && !newData.child('b').exists()", """{"node": {"b": 2}}""", """{"a": 1}"""));
    }

    [Fact]
    public void Server_values_are_resolved_before_the_rules_see_them()
    {
        Assert.True(Judge.Evaluate("newData.val() === now", newValue: """{".sv": "timestamp"}"""));
        Assert.True(Judge.Evaluate("newData.val() === data.val() + 5", """{"node": 10}""", """{".sv": {"increment": 5}}"""));
    }

    [Fact]
    public void A_deleted_location_has_no_new_data()
    {
        Assert.True(Judge.Evaluate("data.exists() && !newData.exists() && newData.val() === null", """{"node": 1}""", null));
    }

    [Theory]
    [InlineData("data.val", "'val' is a method of RuleDataSnapshot: call it as val()", 6)]
    [InlineData("data.name === 'Ada'", "a RuleDataSnapshot has no property 'name'", 6)]
    [InlineData("data.length > 1", "a RuleDataSnapshot has no property 'length'", 6)]
    [InlineData("data.size() > 1", "a RuleDataSnapshot has no method 'size'", 6)]
    [InlineData("data == null", "'==' needs a null or boolean or number or string, not a snapshot", 6)]
    [InlineData("data.child() .exists()", "child() takes 1 argument(s), not 0", 11)]
    [InlineData("data.child(1).exists()", "child() needs a string argument, not a number", 11)]
    [InlineData("data.hasChildren('a')", "hasChildren() takes no argument or an array of names, e.g. hasChildren(['a', 'b'])", 17)]
    [InlineData("data.hasChildren([1])", "an item of hasChildren([...]) needs a string, not a number", 19)]
    [InlineData("data.exists(1)", "exists() takes 0 argument(s), not 1", 12)]
    [InlineData("data.child('a.b').exists()", "a child path has an invalid key 'a.b'", 11)]
    [InlineData("data.hasChild('//')", "a child path needs at least one key", 14)]
    [InlineData("data.hasChildren(['ok', 'x#y'])", "a child path has an invalid key 'x#y'", 17)]
    [InlineData("[1] === 1", "an array is only allowed as the argument of hasChildren()", 1)]
    [InlineData("(true ? data : 'x').exists()", "this may be a snapshot or a value: give both branches of '?:' the same kind", 21)]
    public void Misusing_a_snapshot_is_refused_when_the_rules_compile(string expression, string message, int column)
    {
        var error = Assert.Throws<RulesException>(() => Judge.Compile(Judge.WriteRule(expression)));

        Assert.StartsWith($"test.rules.json: /rules/node/.write, column {column}: {message}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NewData_is_refused_in_a_read_rule()
    {
        var error = Assert.Throws<RulesException>(() => Judge.Compile("""{"rules": {"a": {".read": "newData.exists()"}}}"""));

        Assert.StartsWith("test.rules.json: /rules/a/.read, column 1: newData is not available in .read rules", error.Message, StringComparison.Ordinal);
    }
}
