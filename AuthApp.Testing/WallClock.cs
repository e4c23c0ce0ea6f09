using Xunit;

namespace AuthApp.Testing;

/// <summary>Waits on the real clock where a test cannot give the system under test a clock of its own.</summary>
public static class WallClock
{
    /// <summary>
    /// Waits until the wall clock is in a later second than <paramref name="instant"/>: Firebase's <c>auth_time</c>
    /// and <c>validSince</c> have one-second resolution, so a revocation orders after a sign-in only from the next
    /// second. Returns as soon as that second starts (within a second at most).
    /// </summary>
    public static async Task UntilSecondAfterAsync(DateTimeOffset instant)
    {
        var target = instant.ToUnixTimeSeconds() + 1;
        var deadline = DateTimeOffset.UtcNow.AddSeconds(3);
        while (DateTimeOffset.UtcNow.ToUnixTimeSeconds() < target)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "the clock did not move");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}
