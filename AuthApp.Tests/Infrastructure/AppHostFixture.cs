namespace AuthApp.Tests.Infrastructure;

/// <summary>One running AppHost shared by every test in the assembly that asks for it.</summary>
public sealed class AppHostFixture : IAsyncLifetime
{
    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The AppHost has not started.");

    public HttpClient CreateHttpClient(string resource) => App.CreateHttpClient(resource, "http");

    public async ValueTask InitializeAsync() => _app = await AuthAppHost.StartAsync(TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
