using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AuthApp.Api.RateLimiting;

/// <summary>
/// Login attempts per account, whatever address they come from (a botnet spreads a password
/// guess over many addresses). The account is the normalized email, hashed so that Redis keys
/// hold no address in clear.
/// </summary>
public sealed class AccountRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public AccountRateLimiter(IConnectionMultiplexer redis, IOptions<RateLimitOptions> options)
    {
        var limit = options.Value.LoginPerAccount;
        _limiter = PartitionedRateLimiter.Create<string, string>(account =>
            RateLimitingExtensions.Partition($"login:account:{account}", limit, redis));
    }

    public ValueTask<RateLimitLease> AcquireAsync(string email, CancellationToken cancellationToken) =>
        _limiter.AcquireAsync(AccountKey(email), 1, cancellationToken);

    public static string Normalize(string email) => email.Trim().ToLowerInvariant();

    private static string AccountKey(string email) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Normalize(email))))[..32];

    public void Dispose() => _limiter.Dispose();
}
