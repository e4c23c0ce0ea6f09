using AuthApp.DatabaseEmulator.Rules;
using AuthApp.DatabaseEmulator.Tests.Infrastructure;

namespace AuthApp.DatabaseEmulator.Tests.Expressions;

/// <summary>The operators and their precedence, as in JavaScript, with the rules language's stricter typing.</summary>
public sealed class OperatorTests
{
    [Theory]
    [InlineData("true || false && false", true)]
    [InlineData("(true || false) && false", false)]
    [InlineData("1 + 2 * 3 === 7", true)]
    [InlineData("(1 + 2) * 3 === 9", true)]
    [InlineData("10 - 4 - 3 === 3", true)]
    [InlineData("12 / 3 / 2 === 2", true)]
    [InlineData("1 < 2 == 2 > 1", true)]
    [InlineData("1 < 2 && 2 >= 2 && 3 > 2 && 2 <= 2", true)]
    [InlineData("!false == true", true)]
    [InlineData("!(1 > 2)", true)]
    [InlineData("-2 * -3 === 6", true)]
    [InlineData("- (1 + 2) === -3", true)]
    [InlineData("false ? false : true ? true : false", true)]
    [InlineData("1 + 1 === 2 ? 'a' === 'a' : false", true)]
    public void Precedence_follows_javascript(string expression, bool expected) =>
        Assert.Equal(expected, Judge.Evaluate(expression));

    [Theory]
    [InlineData("7 % 3 === 1")]
    [InlineData("7 / 2 === 3.5")]
    [InlineData("1e3 === 1000")]
    [InlineData("2.5e-1 === 0.25")]
    [InlineData("'a' + 'b' === 'ab'")]
    [InlineData("'it\\'s' === \"it's\"")]
    [InlineData("'\\u0041\\n' === 'A\\n'")]
    [InlineData("'apple' < 'banana' && 'b' > 'a' && 'a' <= 'a'")]
    public void Arithmetic_strings_and_literals_evaluate(string expression) =>
        Assert.True(Judge.Evaluate(expression));

    [Theory]
    [InlineData("1 == 1.0")]
    [InlineData("1 === 1")]
    [InlineData("!(1 == '1')")]
    [InlineData("'1' !== 1")]
    [InlineData("!(0 == false)")]
    [InlineData("'' != null")]
    [InlineData("null == null")]
    [InlineData("(1 == 1) === (2 === 2)")]
    public void Double_and_triple_equals_are_the_same_and_never_convert_types(string expression) =>
        Assert.True(Judge.Evaluate(expression));

    [Theory]
    [InlineData("1 / 0 > 0")]
    [InlineData("!(1 / 0 > 0)")]
    [InlineData("5 % 0 === 0")]
    [InlineData("data.val() && true")]
    [InlineData("!(data.val() && true)")]
    [InlineData("data.val() ? true : true")]
    [InlineData("-data.val() < 0")]
    [InlineData("data.val() + 1 === 2")]
    [InlineData("data.val() < 1")]
    [InlineData("data.val()")]
    public void A_runtime_error_or_a_non_boolean_result_makes_the_rule_false_whatever_surrounds_it(string expression) =>
        Assert.False(Judge.Evaluate(expression, storedJson: """{"node": "a string"}"""));

    [Theory]
    [InlineData("'a' + 1 === 'a1'", "'+' cannot take a string and a number", 5)]
    [InlineData("1 < 'a'", "'<' cannot take a number and a string", 3)]
    [InlineData("1 && true", "'&&' needs a boolean, not a number", 3)]
    [InlineData("!'a'", "'!' needs a boolean, not a string", 1)]
    [InlineData("-'a' === 1", "'-' needs a number, not a string", 1)]
    [InlineData("1 + 1", "a rule must evaluate to a boolean, but this is a number", 1)]
    [InlineData("'yes'", "a rule must evaluate to a boolean, but this is a string", 1)]
    [InlineData("true true", "unexpected 'true'", 6)]
    [InlineData("(true", "expected ')', found the end of the expression", 6)]
    [InlineData("true ? false", "expected ':', found the end of the expression", 13)]
    [InlineData("1 = 1", "unexpected character '='", 3)]
    [InlineData("'open", "unterminated string", 1)]
    [InlineData("'\\q' === 'q'", "unknown escape '\\q' in a string", 2)]
    [InlineData("1a === 1", "a number must not run into a name", 2)]
    [InlineData("foo === 1", "unknown variable 'foo'", 1)]
    [InlineData("true()", "only methods can be called (e.g. data.val())", 5)]
    [InlineData("auth.token['admin'] === true", "indexing with [] is not supported; use child() on snapshots", 11)]
    public void Expressions_that_cannot_work_are_refused_with_their_column(string expression, string message, int column)
    {
        var error = Assert.Throws<RulesException>(() => Judge.Compile(Judge.WriteRule(expression)));

        Assert.StartsWith($"test.rules.json: /rules/node/.write, column {column}: {message}", error.Message, StringComparison.Ordinal);
    }
}
