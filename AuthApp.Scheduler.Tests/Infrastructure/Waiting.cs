namespace AuthApp.Scheduler.Tests.Infrastructure;

/// <summary>For outcomes background work produces: polls until true, or fails with a reason after a deadline.</summary>
public static class Waiting
{
    public static async Task UntilAsync(Func<Task<bool>> condition, string because, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting until {because}.");
            await Task.Delay(25, TestContext.Current.CancellationToken);
        }
    }
}
