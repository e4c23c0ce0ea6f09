using AuthApp.Testing;
using System.Collections.Concurrent;
using AuthApp.Firebase.Authentication;
using AuthApp.Firebase.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AuthApp.Firebase.Tests;

/// <summary>
/// The host's ServiceDefaults put <c>AddStandardResilienceHandler</c> on every HttpClient, which
/// retries POSTs on 500. The Firebase clients must replace it so a sign-in is never sent twice.
/// </summary>
public sealed class ResilienceTests : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, int> _requests = new();
    private LocalServer _server = null!;
    private IHost _host = null!;
    private Func<HttpContext, Task> _respond = context =>
    {
        context.Response.StatusCode = 500;
        return context.Response.WriteAsJsonAsync(new { error = new { code = 500, message = "INTERNAL_ERROR" } });
    };

    private FirebaseAuthClient Auth => _host.Services.GetRequiredService<FirebaseAuthClient>();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await LocalServer.StartAsync(app => app.Run(context =>
        {
            _requests.AddOrUpdate(context.Request.Path.Value!.Split(':').Last(), 1, (_, n) => n + 1);
            return _respond(context);
        }), TestContext.Current.CancellationToken);
        _host = FirebaseTestHost.Build(
            new Dictionary<string, string?> { ["Firebase:AuthEmulatorHost"] = $"127.0.0.1:{_server.BaseAddress.Port}" },
            builder => builder.Services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler()));
    }

    public async ValueTask DisposeAsync()
    {
        _host.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task A_sign_in_answered_with_500_is_sent_once_despite_the_hosts_standard_resilience_handler()
    {
        var error = await Assert.ThrowsAsync<FirebaseServiceUnavailableException>(() => Auth.SignInWithPasswordAsync("a@example.com", "password-1", Ct));

        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Equal(1, _requests["signInWithPassword"]);
    }

    [Fact]
    public async Task A_sign_up_answered_with_500_is_sent_once()
    {
        await Assert.ThrowsAsync<FirebaseServiceUnavailableException>(() => Auth.SignUpAsync("a@example.com", "password-1", cancellationToken: Ct));

        Assert.Equal(1, _requests["signUp"]);
    }

    [Fact]
    public async Task An_idempotent_lookup_answered_with_500_is_tried_three_times()
    {
        await Assert.ThrowsAsync<FirebaseServiceUnavailableException>(() => Auth.GetUserAsync("some-uid", Ct));

        Assert.Equal(3, _requests["lookup"]);
    }

    [Fact]
    public async Task A_sign_in_answered_with_503_and_retry_after_is_retried_because_it_was_not_processed()
    {
        _respond = context =>
        {
            context.Response.StatusCode = 503;
            context.Response.Headers.RetryAfter = "0";
            return Task.CompletedTask;
        };

        var error = await Assert.ThrowsAsync<FirebaseServiceUnavailableException>(() => Auth.SignInWithPasswordAsync("a@example.com", "password-1", Ct));

        Assert.Equal(TimeSpan.Zero, error.RetryAfter);
        Assert.Equal(3, _requests["signInWithPassword"]);
    }

    [Fact]
    public async Task A_retry_after_longer_than_the_limit_is_not_waited_for()
    {
        _respond = context =>
        {
            context.Response.StatusCode = 429;
            context.Response.Headers.RetryAfter = "120";
            return Task.CompletedTask;
        };

        var error = await Assert.ThrowsAsync<FirebaseServiceUnavailableException>(() => Auth.GetUserAsync("some-uid", Ct));

        Assert.Equal(TimeSpan.FromSeconds(120), error.RetryAfter);
        Assert.Equal(1, _requests["lookup"]);
    }

    [Fact]
    public async Task An_unreachable_server_is_reported_as_unavailable()
    {
        await _server.DisposeAsync();

        await Assert.ThrowsAsync<FirebaseServiceUnavailableException>(() => Auth.SignInWithPasswordAsync("a@example.com", "password-1", Ct));
    }
}
