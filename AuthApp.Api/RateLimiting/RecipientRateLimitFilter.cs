using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using AuthApp.Api.Accounts;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AuthApp.Api.RateLimiting;

/// <summary>
/// Password-reset e-mails per recipient, whatever address asks: rotating client addresses must not turn the API into
/// a mail cannon aimed at one inbox. The recipient is the normalized e-mail, hashed.
/// </summary>
public sealed class RecipientRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public RecipientRateLimiter(IConnectionMultiplexer redis, IOptions<RateLimitOptions> options)
    {
        var limit = options.Value.EmailsPerRecipient;
        _limiter = PartitionedRateLimiter.Create<string, string>(recipient =>
            RateLimitingExtensions.Partition($"emails:to:{recipient}", limit, redis));
    }

    public ValueTask<RateLimitLease> AcquireAsync(string email, CancellationToken cancellationToken) =>
        _limiter.AcquireAsync(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(LoginGuard.Normalize(email))))[..32], 1, cancellationToken);

    public void Dispose() => _limiter.Dispose();
}

/// <summary>Applies <see cref="RecipientRateLimiter"/> once the body (and so the recipient) is bound.</summary>
internal sealed class RecipientRateLimitFilter(RecipientRateLimiter limiter) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (context.Arguments.OfType<PasswordResetRequest>().FirstOrDefault()?.Email is { Length: > 0 } email)
        {
            using var lease = await limiter.AcquireAsync(email, context.HttpContext.RequestAborted);
            if (!lease.IsAcquired)
            {
                await RateLimitingExtensions.RejectAsync(context.HttpContext, lease);
                return Results.Empty;
            }
        }

        return await next(context);
    }
}
