using AuthApp.Testing;
using AuthApp.DatabaseEmulator.Rules;
using AuthApp.DatabaseEmulator.Tests.Infrastructure;

namespace AuthApp.DatabaseEmulator.Tests.Rules;

/// <summary>A rules document that cannot be used is refused as a whole, with the location of the problem.</summary>
public sealed class RulesDocumentTests
{
    [Theory]
    [InlineData("{\"rules\": {\n  \"a\": {\n    \".read\": true,,\n  }\n}}", "test.rules.json: line 3, column 19: not valid JSON")]
    [InlineData("[]", "test.rules.json: the document must be an object with a \"rules\" member")]
    [InlineData("{}", "test.rules.json: the document has no \"rules\" member")]
    [InlineData("""{"rules": {}, "indexes": {}}""", "test.rules.json: /indexes: unexpected member (a rules document has exactly one member, \"rules\")")]
    [InlineData("""{"rules": {"users": {".reed": true}}}""", "test.rules.json: /rules/users/.reed: unknown rule type '.reed' (expected .read, .write, .validate or .indexOn)")]
    [InlineData("""{"rules": {"users": true}}""", "test.rules.json: /rules/users: a location's rules must be an object, not a boolean")]
    [InlineData("""{"rules": {"a": {".read": 1}}}""", "test.rules.json: /rules/a/.read: a rule must be a boolean or a string expression, not a number")]
    [InlineData("""{"rules": {"a": {".read": true, ".read": false}}}""", "test.rules.json: /rules/a/.read: appears twice")]
    [InlineData("""{"rules": {"a#b": {}}}""", "test.rules.json: /rules/a#b: 'a#b' is not a valid database key")]
    [InlineData("""{"rules": {"$a": {}, "$b": {}}}""", "test.rules.json: /rules/$b: a location can have only one $ child, and this one already has '$a'")]
    [InlineData("""{"rules": {"$a": {"$a": {}}}}""", "test.rules.json: /rules/$a/$a: '$a' is already captured by a location above")]
    [InlineData("""{"rules": {"$": {}}}""", "test.rules.json: /rules/$: '$' is not a valid $location name")]
    [InlineData("""{"rules": {"a": {".indexOn": 1}}}""", "test.rules.json: /rules/a/.indexOn: .indexOn must be a string or an array of strings, not a number")]
    [InlineData("""{"rules": {"a": {".indexOn": ["x", ""]}}}""", "test.rules.json: /rules/a/.indexOn: .indexOn entries must be non-empty strings, not a string")]
    [InlineData("""{"rules": {"users": {"$uid": {".read": "auth.uid === $user"}}}}""", "test.rules.json: /rules/users/$uid/.read, column 14: unknown variable '$user': no such $location above this rule")]
    public void A_document_that_cannot_be_used_is_refused_with_its_location(string document, string message)
    {
        var error = Assert.Throws<RulesException>(() => Judge.Compile(document));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_expression_error_shows_the_expression_with_a_caret_under_the_column()
    {
        var error = Assert.Throws<RulesException>(() => Judge.Compile("""{"rules": {"a": {".read": "auth != null &&"}}}"""));

        Assert.Equal("""
            test.rules.json: /rules/a/.read, column 16: expected a value, found the end of the expression
                auth != null &&
                               ^
            """.ReplaceLineEndings("\n"), error.Message);
    }

    [Fact]
    public void Comments_and_trailing_commas_are_accepted_as_in_firebase_rules_files()
    {
        var rules = Judge.Compile("""
            {
              // Everyone may read a.
              "rules": {
                "a": { ".read": true, },
              },
            }
            """);

        Assert.True(Judge.CanRead(rules, null, "null", "a"));
    }

    [Fact]
    public void The_product_rules_compile() => Assert.NotNull(RuleSet.Load(RepoPaths.ProductRules));

    [Fact]
    public void A_missing_rules_file_is_a_rules_error_not_a_crash()
    {
        var error = Assert.Throws<RulesException>(() => RuleSet.Load("/nonexistent/database.rules.json"));

        Assert.StartsWith("/nonexistent/database.rules.json: cannot read the rules file", error.Message, StringComparison.Ordinal);
    }
}
