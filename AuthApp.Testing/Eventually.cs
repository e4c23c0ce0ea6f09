using Xunit;
namespace AuthApp.Testing;

/// <summary>For outcomes that background work produces: poll until true or fail with a reason.</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, string failure, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(250, TestContext.Current.CancellationToken);
        }
    }
}
