using AuthApp.DatabaseEmulator.Rules;
using AuthApp.DatabaseEmulator.Tests.Infrastructure;

namespace AuthApp.DatabaseEmulator.Tests.Expressions;

/// <summary>The documented regular expression subset of <c>matches()</c>; anything undocumented is refused.</summary>
public sealed class RegexTests
{
    [Theory]
    [InlineData("/a/", "ba", true)]
    [InlineData("/^a/", "ba", false)]
    [InlineData("/a$/", "ab", false)]
    [InlineData("/^abc$/", "abc\n", false)]
    [InlineData("/^a*$/", "", true)]
    [InlineData("/^a*$/", "aaa", true)]
    [InlineData("/^a+$/", "", false)]
    [InlineData("/^a?$/", "aa", false)]
    [InlineData("/^......../", "Firebase", true)]
    [InlineData("/^.$/", "\n", true)]
    [InlineData("/^(ab)*$/", "abab", true)]
    [InlineData("/^(a|bc)$/", "bc", true)]
    [InlineData("/^[akz]+$/", "kaz", true)]
    [InlineData("/^[^akz]+$/", "kaz", false)]
    [InlineData("/^[a-c]{2,3}$/", "abc", true)]
    [InlineData("/^[a-c]{2,3}$/", "abca", false)]
    [InlineData("/^a{2}$/", "aa", true)]
    [InlineData("/^a{2,}$/", "aaaa", true)]
    [InlineData("/^\\d\\w\\s$/", "1_ ", true)]
    [InlineData("/^\\d$/", "٣", false)]
    [InlineData("/^\\D\\W\\S$/", "a!b", true)]
    [InlineData("/^[\\d\\-]+$/", "1-2", true)]
    [InlineData("/^a\\.b\\/c\\\\$/", "a.b/c\\", true)]
    [InlineData("/^[/]$/", "/", true)]
    [InlineData("/^FIRE/i", "firebase", true)]
    [InlineData("/^FIRE/", "firebase", false)]
    public void Matches_follows_the_documented_syntax(string regex, string input, bool expected) =>
        Assert.Equal(expected, Judge.Evaluate($"newData.val().matches({regex})", newValue: System.Text.Json.JsonSerializer.Serialize(input)));

    [Theory]
    [InlineData("/a^b/", "'^' is only supported as the first character")]
    [InlineData("/a$b/", "'$' is only supported as the last character")]
    [InlineData("/(?=a)/", "'(?' groups are not supported")]
    [InlineData("/(a)\\1/", "unsupported escape '\\1'")]
    [InlineData("/a\\n/", "unsupported escape '\\n'")]
    [InlineData("/[\\D]/", "unsupported escape '\\D' in a class")]
    [InlineData("/a*?/", "lazy or repeated quantifiers are not supported")]
    [InlineData("/*a/", "'*' has nothing to repeat")]
    [InlineData("/a{x}/", "'{x}' is not a repetition ({n}, {n,} or {n,m})")]
    [InlineData("/a{3,1}/", "'{3,1}' has its bounds out of order")]
    [InlineData("/[z-a]/", "range 'z-a' is out of order")]
    [InlineData("/[]/", "an empty class '[]' is not supported")]
    [InlineData("/(a/", "unbalanced '('")]
    [InlineData("/a)/", "unbalanced ')'")]
    [InlineData("/a/g", "unsupported regular expression flag 'g' (only 'i' is supported)")]
    [InlineData("/a", "unterminated regular expression")]
    public void Undocumented_regex_features_are_refused_when_the_rules_compile(string regex, string message)
    {
        var error = Assert.Throws<RulesException>(() => Judge.Compile(Judge.WriteRule($"newData.val().matches({regex})")));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_regex_error_points_at_the_character_in_the_expression()
    {
        var error = Assert.Throws<RulesException>(() => Judge.Compile(Judge.WriteRule("newData.val().matches(/ab^c/)")));

        Assert.StartsWith("test.rules.json: /rules/node/.write, column 26: regular expression: '^' is only supported as the first character", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A backtracking engine would not finish this (hostile input); the timeout only fails the test if it hangs.</summary>
    [Fact(Timeout = 60_000)]
    public async Task Matching_is_linear_even_for_patterns_that_backtrack_catastrophically()
    {
        var input = System.Text.Json.JsonSerializer.Serialize(new string('a', 50_000) + "!");

        var matched = await Task.Run(() => Judge.Evaluate("newData.val().matches(/^(a+)+$/)", newValue: input), TestContext.Current.CancellationToken);

        Assert.False(matched);
    }
}
