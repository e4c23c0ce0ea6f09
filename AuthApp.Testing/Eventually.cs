using Xunit;

namespace AuthApp.Testing;

/// <summary>
/// For outcomes that background work produces (another process, a hosted service, a replica): polls until the
/// condition holds, or fails with a reason once the deadline passes. The first looks come quickly (an event that is
/// already on its way is seen within milliseconds), later ones every <see cref="SlowestPoll"/> (a condition that
/// reads Redis or a database is not hammered while a test waits for seconds). The only helper of its kind.
/// </summary>
public static class Eventually
{
    /// <summary>Long enough for the slowest expected event on a loaded 2-core machine; only a failing test waits it out.</summary>
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan SlowestPoll = TimeSpan.FromMilliseconds(250);

    public static Task TrueAsync(Func<Task<bool>> condition, string failure, TimeSpan? within = null, TimeSpan? every = null) =>
        TrueAsync(condition, () => failure, within, every);

    public static Task TrueAsync(Func<bool> condition, string failure, TimeSpan? within = null) =>
        TrueAsync(() => Task.FromResult(condition()), () => failure, within);

    public static Task TrueAsync(Func<bool> condition, Func<string> failure, TimeSpan? within = null) =>
        TrueAsync(() => Task.FromResult(condition()), failure, within);

    /// <summary>
    /// As above, with a failure message made when the deadline passes (e.g. saying what was still wrong). With
    /// <paramref name="every"/>, the looks come at that fixed pace instead: for a condition that moves a fake clock
    /// on each look, where the pace sets how fast the test's time runs.
    /// </summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, Func<string> failure, TimeSpan? within = null, TimeSpan? every = null)
    {
        var deadline = DateTime.UtcNow + (within ?? DefaultDeadline);
        var pause = every ?? FirstPoll;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure());
            await Task.Delay(pause, TestContext.Current.CancellationToken);
            pause = every ?? TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, SlowestPoll.Ticks));
        }
    }
}
