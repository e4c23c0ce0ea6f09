using System.Collections.Concurrent;
using System.Diagnostics;
using AuthApp.Firebase.Authentication;
using AuthApp.Firebase.Credentials;
using AuthApp.Firebase.Messaging;
using AuthApp.Firebase.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AuthApp.Firebase.Tests;

/// <summary>
/// Runs real calls (sign up, sign in, refresh, lookup, FCM, and their error paths) with every log
/// line at Trace and every Activity of every source captured, then searches all of it for secrets.
/// </summary>
public sealed class SecretLeakTests(AuthEmulatorFixture emulator)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task No_password_token_or_key_reaches_a_log_line_trace_or_exception_message()
    {
        var apiKey = "AIzaSecretKey" + Guid.NewGuid().ToString("N");
        var accessToken = "ya29.SecretAccess" + Guid.NewGuid().ToString("N");
        var password = "Pw-" + Guid.NewGuid().ToString("N");
        var deviceToken = "fcm-device-" + Guid.NewGuid().ToString("N");
        var badRefreshToken = "bad-refresh-" + Guid.NewGuid().ToString("N");
        var badIdToken = "bad-id-token-" + Guid.NewGuid().ToString("N");
        var email = $"leak-{Guid.NewGuid():N}@example.com";

        var captured = new ConcurrentQueue<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => Capture(activity, captured),
        };
        ActivitySource.AddActivityListener(listener);

        var logs = new FakeLogCollector();
        await using var fcm = await FakeFcm.StartAsync();
        using var host = FirebaseTestHost.Build(
            new Dictionary<string, string?>
            {
                ["Firebase:AuthEmulatorHost"] = await emulator.GetHostAsync(),
                ["Firebase:AcceptEmulatorTokens"] = "true",
                ["Firebase:ApiKey"] = apiKey,
                ["Firebase:MessagingBaseUrl"] = fcm.BaseAddress.ToString(),
            },
            builder =>
            {
                builder.Logging.SetMinimumLevel(LogLevel.Trace);
                builder.Logging.AddProvider(new FakeLoggerProvider(logs));
                builder.Services.AddSingleton<IFirebaseAccessTokenProvider>(new FakeAccessTokens(accessToken));
            });
        var auth = host.Services.GetRequiredService<FirebaseAuthClient>();
        var push = host.Services.GetRequiredService<IPushSender>();
        var errors = new List<Exception>();

        var signUp = await auth.SignUpAsync(email, password, "Leak Test", Ct);
        var signIn = await auth.SignInWithPasswordAsync(email, password, Ct);
        var refreshed = await auth.RefreshAsync(signIn.RefreshToken, Ct);
        await auth.SendEmailVerificationAsync(refreshed.IdToken, Ct);
        await auth.GetUserAsync(signIn.LocalId, Ct);
        await auth.VerifyIdTokenAsync(signIn.IdToken, checkRevoked: true, Ct);
        await auth.UpdateUserAsync(signIn.LocalId, new UserUpdate { Password = password + "2" }, Ct);
        errors.Add(await Assert.ThrowsAsync<FirebaseAuthException>(() => auth.SignInWithPasswordAsync(email, password, Ct)));
        errors.Add(await Assert.ThrowsAsync<FirebaseAuthException>(() => auth.SignUpAsync(email, password, cancellationToken: Ct)));
        errors.Add(await Assert.ThrowsAsync<FirebaseAuthException>(() => auth.RefreshAsync(badRefreshToken, Ct)));
        errors.Add(await Assert.ThrowsAsync<FirebaseAuthException>(() => auth.SendEmailVerificationAsync(badIdToken, Ct)));
        errors.Add(await Assert.ThrowsAsync<FirebaseAuthException>(async () => await auth.VerifyIdTokenAsync(signIn.IdToken + "x", cancellationToken: Ct)));

        await push.SendAsync(new PushMessage(deviceToken, "Fault Detected", "Check the kitchen"), cancellationToken: Ct);
        fcm.Respond = (context, _) => FakeFcm.Error(context, 404, "NOT_FOUND", "not found", [FakeFcm.FcmError("UNREGISTERED")]);
        await push.SendAsync(new PushMessage(deviceToken, "Fault Detected", "Check the kitchen"), cancellationToken: Ct);
        fcm.Respond = (context, _) => FakeFcm.Error(context, 500, "INTERNAL", "boom");
        errors.Add(await Assert.ThrowsAsync<FirebaseServiceUnavailableException>(() => push.SendAsync(new PushMessage(deviceToken, "t", "b"), cancellationToken: Ct)));

        // Results and errors end up in log lines too: their ToString must be clean.
        var everything = captured.Concat(logs.AllText())
            .Concat(errors.Select(e => e.ToString()))
            .Concat([signUp.ToString(), signIn.ToString(), refreshed.ToString()])
            .ToList();
        Assert.NotEmpty(logs.AllText());
        Assert.Contains(captured, text => text.Contains("accounts:signInWithPassword", StringComparison.Ordinal));

        var secrets = new Dictionary<string, string>
        {
            ["password"] = password,
            ["API key"] = apiKey,
            ["access token"] = accessToken,
            ["device token"] = deviceToken,
            ["ID token (sign up)"] = Signature(signUp.IdToken),
            ["ID token (sign in)"] = Payload(signIn.IdToken),
            ["ID token (refreshed)"] = Payload(refreshed.IdToken),
            ["refresh token"] = signIn.RefreshToken,
            ["refresh token (refreshed)"] = refreshed.RefreshToken,
            ["rejected refresh token"] = badRefreshToken,
            ["rejected ID token"] = badIdToken,
        };
        foreach (var (name, secret) in secrets)
        {
            var leak = everything.FirstOrDefault(text => text.Contains(secret, StringComparison.Ordinal));
            Assert.True(leak is null, $"The {name} leaked into: {leak}");
        }
    }

    // Emulator tokens are unsigned, so the payload is the part unique to a token.
    private static string Payload(string jwt) => jwt.Split('.')[1];

    private static string Signature(string jwt) => jwt.Split('.') is [_, var payload, var signature] ? payload + "." + signature : jwt;

    private static void Capture(Activity activity, ConcurrentQueue<string> captured)
    {
        captured.Enqueue($"{activity.Source.Name} {activity.OperationName} {activity.DisplayName} {activity.StatusDescription}");
        foreach (var (key, value) in activity.TagObjects)
        {
            captured.Enqueue($"{key}={value}");
        }

        foreach (var activityEvent in activity.Events)
        {
            captured.Enqueue(activityEvent.Name);
            foreach (var (key, value) in activityEvent.Tags)
            {
                captured.Enqueue($"{key}={value}");
            }
        }

        foreach (var (key, value) in activity.Baggage)
        {
            captured.Enqueue($"{key}={value}");
        }
    }
}
