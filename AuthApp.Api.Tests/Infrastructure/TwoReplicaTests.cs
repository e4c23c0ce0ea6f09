namespace AuthApp.Api.Tests.Infrastructure;

/// <summary>
/// For tests of what one replica does and the other must see: two API instances over one Redis and one database
/// namespace, a fresh pair per test.
/// </summary>
public abstract class TwoReplicaTests(ApiDependencies dependencies) : IAsyncLifetime
{
    protected ApiDependencies Dependencies => dependencies;

    protected ApiFactory First { get; private set; } = null!;

    protected ApiFactory Second { get; private set; } = null!;

    protected static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        First = new ApiFactory(dependencies);
        Second = First.Replica();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await Second.DisposeAsync();
        await First.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
