using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AuthApp.Api.RateLimiting;

/// <summary>
/// Failed logins, counted in Redis per account <em>and</em> address, and per account as a ceiling that addresses the
/// owner has signed in from are not held to. Only failures count (wrong credentials), so a stranger cannot lock the
/// owner out from elsewhere, and an outage (503) costs nobody an attempt. The account is the normalized e-mail,
/// hashed, so Redis holds no address in clear. Every key of an account carries the account hash as its Redis Cluster
/// hash tag (<c>authapp:login:{account}:...</c>): the MGET and the counting script touch one account's keys together,
/// which a cluster allows only within one slot, while different accounts still spread over the masters.
/// </summary>
public sealed class LoginGuard(IConnectionMultiplexer redis, IOptions<RateLimitOptions> options)
{
    private const string Prefix = "authapp:login:";

    // INCR each key; the first failure of a window sets its expiry.
    private static readonly LuaScript CountFailure = LuaScript.Prepare(
        "local n = redis.call('INCR', @pair) if n == 1 then redis.call('PEXPIRE', @pair, @pairWindow) end " +
        "n = redis.call('INCR', @account) if n == 1 then redis.call('PEXPIRE', @account, @accountWindow) end return n");

    /// <summary>How long the caller must wait before trying this account from this address, or null to go ahead.</summary>
    public async Task<TimeSpan?> RefusalAsync(string email, string address)
    {
        var limits = options.Value;
        var keys = Keys(email, address);
        var database = redis.GetDatabase();
        var values = await database.StringGetAsync([keys.Pair, keys.Account, keys.Known]);
        if ((long?)values[0] >= limits.LoginFailuresPerAccountAndAddress.PermitLimit)
        {
            return await database.KeyTimeToLiveAsync(keys.Pair) ?? limits.LoginFailuresPerAccountAndAddress.Window;
        }

        if ((long?)values[1] >= limits.LoginFailuresPerAccount.PermitLimit && values[2].IsNull)
        {
            return await database.KeyTimeToLiveAsync(keys.Account) ?? limits.LoginFailuresPerAccount.Window;
        }

        return null;
    }

    public Task RecordFailureAsync(string email, string address)
    {
        var limits = options.Value;
        var keys = Keys(email, address);
        return redis.GetDatabase().ScriptEvaluateAsync(CountFailure, new
        {
            pair = (RedisKey)keys.Pair,
            pairWindow = (long)limits.LoginFailuresPerAccountAndAddress.Window.TotalMilliseconds,
            account = (RedisKey)keys.Account,
            accountWindow = (long)limits.LoginFailuresPerAccount.Window.TotalMilliseconds,
        });
    }

    /// <summary>The address is now known for the account, and its failures are forgiven.</summary>
    public async Task RecordSuccessAsync(string email, string address)
    {
        var keys = Keys(email, address);
        var database = redis.GetDatabase();
        await Task.WhenAll(
            database.StringSetAsync(keys.Known, 1, options.Value.KnownAddressMemory),
            database.KeyDeleteAsync(keys.Pair));
    }

    public static string Normalize(string email) => email.Trim().ToLowerInvariant();

    // Renamed from authapp:login:failures:<account>... when the hash tag came: the old counters expire within their
    // window, and old known addresses within KnownAddressMemory; until an owner signs in once from a known address,
    // it is held to the per-account ceiling like any other address (the fail-safe side).
    private static (string Pair, string Account, string Known) Keys(string email, string address)
    {
        var account = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Normalize(email))))[..32];
        var tagged = $"{Prefix}{{{account}}}";
        return ($"{tagged}:failures:{address}", $"{tagged}:failures", $"{tagged}:known:{address}");
    }
}
