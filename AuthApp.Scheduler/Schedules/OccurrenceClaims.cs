using AuthApp.Domain.Schedules;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AuthApp.Scheduler.Schedules;

/// <summary>
/// Per-occurrence claims in Redis, so that each occurrence of a schedule fires once across every replica.
/// <c>authapp:schedules:fired:{uid/venue/device}:{occurrence unix s}</c> is first a lease holding the
/// claimer's token (<c>SET NX PX ClaimLease</c>); when the firing is done it becomes <c>fired</c> for
/// <c>ClaimTtl</c> and an entry is appended to the audit stream <c>authapp:schedules:fired</c>, atomically.
/// A claimer that gives up releases its lease; one that dies leaves it to expire.
/// </summary>
public sealed class OccurrenceClaims(IConnectionMultiplexer redis, IOptions<SchedulerOptions> options)
{
    public const string KeyPrefix = "authapp:schedules:fired:";
    public const string AuditStream = "authapp:schedules:fired";
    public const string FiredValue = "fired";

    private IDatabase Database => redis.GetDatabase();

    public static string Key(ScheduleId id, DateTimeOffset occurrence) => $"{KeyPrefix}{id}:{occurrence.ToUnixTimeSeconds()}";

    /// <summary>Takes the occurrence; null when another replica has it (in progress or fired).</summary>
    public async Task<OccurrenceClaim?> TryClaimAsync(ScheduleId id, DateTimeOffset occurrence)
    {
        var token = Guid.NewGuid().ToString("N");
        var key = Key(id, occurrence);
        return await Database.StringSetAsync(key, token, options.Value.ClaimLease, When.NotExists)
            ? new OccurrenceClaim(id, occurrence, key, token)
            : null;
    }

    /// <summary>Marks the occurrence fired (kept for <c>ClaimTtl</c>) and records it in the audit stream.</summary>
    public async Task<bool> CompleteAsync(OccurrenceClaim claim, string instance, DateTimeOffset firedAt)
    {
        var result = await Database.ScriptEvaluateAsync(CompleteScript,
            [claim.Key, AuditStream],
            [
                claim.Token, FiredValue, (long)options.Value.ClaimTtl.TotalMilliseconds, options.Value.FiredLogMaxLength,
                claim.Id.ToString(), claim.Occurrence.ToUnixTimeSeconds(), instance, firedAt.ToUnixTimeMilliseconds(),
            ]);
        return (int)result == 1;
    }

    /// <summary>Gives the occurrence back (nothing was written), so that a later cycle or replica fires it.</summary>
    public Task ReleaseAsync(OccurrenceClaim claim) =>
        Database.ScriptEvaluateAsync(ReleaseScript, [claim.Key], [claim.Token]);

    private const string CompleteScript = """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then
          return 0
        end
        redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
        redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*',
          'id', ARGV[5], 'occurrence', ARGV[6], 'instance', ARGV[7], 'firedAt', ARGV[8])
        return 1
        """;

    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          return redis.call('DEL', KEYS[1])
        end
        return 0
        """;
}

public sealed record OccurrenceClaim(ScheduleId Id, DateTimeOffset Occurrence, string Key, string Token);
