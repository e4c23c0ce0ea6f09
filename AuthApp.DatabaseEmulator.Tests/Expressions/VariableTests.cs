using AuthApp.DatabaseEmulator.Rules;
using AuthApp.DatabaseEmulator.Tests.Infrastructure;

namespace AuthApp.DatabaseEmulator.Tests.Expressions;

/// <summary><c>auth</c> (built from the ID token), <c>now</c>, and names the rules do not know.</summary>
public sealed class VariableTests
{
    [Theory]
    [InlineData("auth != null && auth.uid === 'alice'")]
    [InlineData("auth.provider === 'password'")]
    [InlineData("auth.token.sub === 'alice' && auth.token.email === 'alice@example.com'")]
    [InlineData("auth.token.email_verified === true")]
    [InlineData("auth.token.firebase.sign_in_provider === 'password'")]
    [InlineData("auth.token.iss === 'https://securetoken.google.com/demo-authapp'")]
    [InlineData("auth.token.missing === null")]
    [InlineData("auth.token.role === 'admin' && auth.token.level === 3")]
    public void Auth_carries_the_uid_the_provider_and_every_claim_of_the_token(string expression)
    {
        var rules = Judge.Compile(Judge.WriteRule(expression));
        var claims = new System.Text.Json.Nodes.JsonObject { ["role"] = "admin", ["level"] = 3 };

        Assert.True(Judge.Write(rules, Judge.Auth("alice", claims), "null", ("node", "1")).Allowed);
    }

    [Theory]
    [InlineData("auth == null", true)]
    [InlineData("auth.uid === 'alice'", false)]
    [InlineData("!(auth.uid === 'alice')", false)]
    [InlineData("auth.token.email === null", false)]
    public void Auth_is_null_without_credentials_and_reading_a_field_of_null_fails_the_rule(string expression, bool expected) =>
        Assert.Equal(expected, Judge.Evaluate(expression, uid: null));

    [Fact]
    public void Now_is_the_server_time_in_milliseconds() =>
        Assert.True(Judge.Evaluate($"now === {Judge.NowMs} && now > 1700000000000"));

    [Theory]
    [InlineData("foo === 1", "unknown variable 'foo'")]
    [InlineData("$uid === 'alice'", "unknown variable '$uid': no such $location above this rule")]
    [InlineData("auth.email === 'a'", "auth has no field 'email' (it has uid, provider and token)")]
    [InlineData("query.orderByChild === 'a'", "query-based rules (the 'query' variable) are not supported by this emulator")]
    [InlineData("now.year === 2026", "a number has no field 'year'")]
    public void Unknown_names_are_refused_when_the_rules_compile(string expression, string message)
    {
        var error = Assert.Throws<RulesException>(() => Judge.Compile(Judge.WriteRule(expression)));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
