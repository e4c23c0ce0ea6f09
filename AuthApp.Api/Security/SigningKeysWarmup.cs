using AuthApp.Firebase.Authentication;

namespace AuthApp.Api.Security;

/// <summary>
/// At start: builds the token validation (which warns loudly if unsigned emulator tokens are accepted) and fetches
/// Google's signing keys in the background, so that the first request does not wait for them. A failure here is not
/// fatal: the keys are fetched again on demand.
/// </summary>
internal sealed class SigningKeysWarmup(FirebaseIdTokenValidation validation) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (validation.SigningKeys is { } keys)
        {
            _ = Task.Run(async () =>
            {
                try
                {
                    await keys.GetConfigurationAsync(CancellationToken.None);
                }
                catch (InvalidOperationException)
                {
                    // Fetched again on the first request that needs them.
                }
            }, CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
