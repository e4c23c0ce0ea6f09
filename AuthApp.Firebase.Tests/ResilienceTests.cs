using System.Collections.Concurrent;
using System.Net.Sockets;
using AuthApp.Firebase.Authentication;
using AuthApp.Firebase.Tests.Infrastructure;
using AuthApp.Testing;
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

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_connection_dropped_as_it_opens_is_reported_as_unavailable_however_the_transport_says_it(bool socket)
    {
        // .NET's connection pool lets the raw SocketException "Transport endpoint is not connected" through when the peer
        // closes a connection while it is being opened (an Auth emulator going away did it, bench/Chaos).
        Exception dropped = socket ? new SocketException((int)SocketError.NotConnected) : new IOException("Connection reset by peer");
        using var host = FirebaseTestHost.Build(
            new Dictionary<string, string?> { ["Firebase:AuthEmulatorHost"] = $"127.0.0.1:{_server.BaseAddress.Port}" },
            builder => builder.Services.ConfigureHttpClientDefaults(http => http.ConfigurePrimaryHttpMessageHandler(() => new FailingHandler(dropped))));
        var auth = host.Services.GetRequiredService<FirebaseAuthClient>();

        var refused = await Assert.ThrowsAsync<FirebaseServiceUnavailableException>(() => auth.SignInWithPasswordAsync("a@example.com", "password-1", Ct));

        Assert.Same(dropped, refused.InnerException);
    }

    private sealed class FailingHandler(Exception failure) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromException<HttpResponseMessage>(failure);
    }

    [Fact]
    public async Task An_unreachable_server_is_reported_as_unavailable()
    {
        await _server.DisposeAsync();

        await Assert.ThrowsAsync<FirebaseServiceUnavailableException>(() => Auth.SignInWithPasswordAsync("a@example.com", "password-1", Ct));
    }
}
