using AuthApp.DatabaseEmulator.Rules;
using AuthApp.DatabaseEmulator.Tests.Infrastructure;

namespace AuthApp.DatabaseEmulator.Tests.Expressions;

public sealed class StringMethodTests
{
    [Theory]
    [InlineData("'Firebase'.length === 8")]
    [InlineData("''.length === 0")]
    [InlineData("'héllo'.length === 5")]
    [InlineData("'Firebase'.contains('eba') && !'Firebase'.contains('x')")]
    [InlineData("'Firebase'.beginsWith('Fire') && !'Firebase'.beginsWith('base')")]
    [InlineData("'Firebase'.endsWith('base') && !'Firebase'.endsWith('Fire')")]
    [InlineData("'a.b.c'.replace('.', ',') === 'a,b,c'")]
    [InlineData("'Firebase'.toLowerCase() === 'firebase' && 'Firebase'.toUpperCase() === 'FIREBASE'")]
    [InlineData("'Firebase'.matches(/^fire/i)")]
    [InlineData("auth.uid.toUpperCase().beginsWith('ALI')")]
    [InlineData("newData.val().length === 5")]
    public void String_methods_work_on_strings(string expression) =>
        Assert.True(Judge.Evaluate(expression, newValue: "\"hello\""));

    [Theory]
    [InlineData("newData.val().length > 0")]
    [InlineData("newData.val().contains('1')")]
    [InlineData("!newData.val().contains('1')")]
    [InlineData("newData.val().matches(/1/)")]
    [InlineData("!newData.val().matches(/1/)")]
    [InlineData("newData.val().toLowerCase() === '12'")]
    [InlineData("'abc'.replace('', 'x') === 'abc'")]
    [InlineData("'abc'.contains(newData.val())")]
    public void String_methods_on_anything_else_make_the_rule_false(string expression) =>
        Assert.False(Judge.Evaluate(expression, newValue: "12"));

    [Theory]
    [InlineData("now.contains('1')", "a number has no method 'contains'", 5)]
    [InlineData("now.length > 1", "'length' needs a string, not a number", 5)]
    [InlineData("'a'.trim() === 'a'", "a string has no method 'trim'", 5)]
    [InlineData("'a'.contains()", "contains() takes 1 argument(s), not 0", 13)]
    [InlineData("'a'.replace('a') === 'b'", "replace() takes 2 argument(s), not 1", 12)]
    [InlineData("'a'.beginsWith(1)", "beginsWith() needs a string argument, not a number", 15)]
    [InlineData("'a'.matches('a')", "matches() takes one regular expression literal, e.g. matches(/^a+$/)", 12)]
    [InlineData("'a'.contains(/a/)", "a regular expression is only allowed as the argument of matches()", 14)]
    [InlineData("/a/ === 1", "a regular expression is only allowed as the argument of matches()", 1)]
    public void Misusing_a_string_method_is_refused_when_the_rules_compile(string expression, string message, int column)
    {
        var error = Assert.Throws<RulesException>(() => Judge.Compile(Judge.WriteRule(expression)));

        Assert.StartsWith($"test.rules.json: /rules/node/.write, column {column}: {message}", error.Message, StringComparison.Ordinal);
    }
}
