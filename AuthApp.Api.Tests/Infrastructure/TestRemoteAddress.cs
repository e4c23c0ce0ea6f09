using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace AuthApp.Api.Tests.Infrastructure;

/// <summary>
/// Gives each test client its own connection address (the in-process server has none): the header
/// <see cref="HeaderName"/> becomes <c>Connection.RemoteIpAddress</c> before any middleware runs (the host's own
/// included: <see cref="ApiFactory"/> registers this filter first), as Kestrel would set it from the socket.
/// Forwarded headers are then the API's business, as in production.
/// </summary>
internal sealed class TestRemoteAddress : IStartupFilter
{
    public const string HeaderName = "X-Test-Remote-Address";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            context.Connection.RemoteIpAddress = context.Request.Headers.TryGetValue(HeaderName, out var value)
                ? IPAddress.Parse(value.ToString())
                : IPAddress.Loopback;
            context.Request.Headers.Remove(HeaderName);
            return nextMiddleware(context);
        });
        next(app);
    };
}
