using AuthApp.Api.Errors;

namespace AuthApp.Api.Tests.Errors;

/// <summary>Every problem that says when to retry says it the same way: whole seconds, rounded up, at least one.</summary>
public sealed class RetryAfterTests
{
    [Theory]
    [InlineData(0, "1")]
    [InlineData(200, "1")]
    [InlineData(1_000, "1")]
    [InlineData(1_500, "2")]
    [InlineData(60_000, "60")]
    public void Retry_after_is_whole_seconds_rounded_up_and_never_zero(int milliseconds, string header) =>
        Assert.Equal(header, ProblemExtensions.RetryAfterSeconds(TimeSpan.FromMilliseconds(milliseconds)));
}
