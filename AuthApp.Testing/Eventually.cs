using Xunit;
namespace AuthApp.Testing;

/// <summary>For outcomes that background work produces: poll until true or fail with a reason.</summary>
public static class Eventually
{
    public static Task TrueAsync(Func<Task<bool>> condition, string failure, TimeSpan? within = null) =>
        TrueAsync(condition, () => failure, within);

    /// <summary>As above, with a failure message made when the deadline passes (e.g. saying what was still wrong).</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, Func<string> failure, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure());
            await Task.Delay(250, TestContext.Current.CancellationToken);
        }
    }
}
