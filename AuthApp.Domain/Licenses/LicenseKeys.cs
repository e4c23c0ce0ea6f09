using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AuthApp.Domain.Users;
using AuthApp.Firebase.Database;

namespace AuthApp.Domain.Licenses;

/// <summary>
/// Signup license keys (the original's <c>/admin</c> page and JSON file), kept in the Realtime Database
/// under <c>licenseKeys/{key}</c>: <c>{createdAt, createdBy, note, revoked, usedBy, usedAt, reservedFor,
/// reservedUntil, reservedBy}</c>. A key admits one account: <c>usedBy</c> is written once, by
/// <see cref="ClaimAsync"/>, and nothing changes or removes it afterwards. Used by the API (signup, the admin
/// API) and by the developer bootstrap commands.
/// <para>
/// A signup goes through three transactions on the key (if-match writes on <c>licenseKeys/{key}</c>: each one
/// sees the key exactly as the one before it left it):
/// </para>
/// <list type="number">
/// <item><see cref="ReserveAsync"/>: the signup attempt (one request, with a random <see cref="NewAttempt"/> id)
/// holds the key for its e-mail address. The key is held <em>for</em> one e-mail (<c>reservedFor</c>, a hash)
/// <em>by</em> that e-mail's attempts (<c>reservedBy</c>: attempt id → when that attempt's share lapses;
/// <c>reservedUntil</c> is the last of these). A second attempt for the same e-mail joins the hold: the retry of a
/// request whose answer was lost cannot know the first attempt's id, and must not be refused until the first share
/// lapses. An attempt for another e-mail is refused while any share lasts.</item>
/// <item><see cref="ReleaseAsync"/>: an attempt that failed takes back its own share of the hold, never another
/// attempt's; the key is free once no share is left. A failing signup (a wrong password for an e-mail whose
/// right signup is running) therefore never frees the key under a signup for the same e-mail.</item>
/// <item><see cref="ClaimAsync"/>: the key becomes used by the attempt's account, only while the attempt still
/// holds it, or when the key is already used by that very account (so the claim can be repeated).</item>
/// </list>
/// A share that is never taken back (the attempt's process died, or the database was unreachable when it tried)
/// lapses <see cref="ReservationTime"/> after it was taken, whoever joins the hold meanwhile; until then, it keeps
/// other e-mails out, while attempts for the same e-mail still join and finish.
/// Every read of a key record accepts whatever is stored (any JSON shape, out-of-range numbers) without throwing.
/// </summary>
public sealed class LicenseKeys(IFirebaseDatabase database, TimeProvider clock)
{
    public const string Root = "licenseKeys";

    private const string CreatedAt = "createdAt";
    private const string CreatedBy = "createdBy";
    private const string Note = "note";
    private const string Revoked = "revoked";
    private const string UsedBy = "usedBy";
    private const string UsedAt = "usedAt";
    private const string ReservedFor = "reservedFor";
    private const string ReservedUntil = "reservedUntil";
    private const string ReservedBy = "reservedBy";

    /// <summary>How long a signup in progress holds its key; longer than any signup takes, short enough to free an abandoned one.</summary>
    public static readonly TimeSpan ReservationTime = TimeSpan.FromMinutes(10);

    private static readonly long EarliestInstant = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();

    private static readonly long LatestInstant = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    /// <summary>A new signup attempt's id: 128 random bits as hex, a valid database key.</summary>
    public static string NewAttempt() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public async Task<LicenseKey> CreateAsync(string createdBy, string? note, CancellationToken cancellationToken)
    {
        var key = NewKey();
        var record = new JsonObject
        {
            [CreatedAt] = clock.GetUtcNow().ToUnixTimeMilliseconds(),
            [CreatedBy] = createdBy,
            [Revoked] = false,
        };
        if (!string.IsNullOrWhiteSpace(note))
        {
            record[Note] = note;
        }

        await database.SetAsync(Path(key), record, cancellationToken);
        return ToLicense(key, record);
    }

    public async Task<IReadOnlyList<LicenseKey>> ListAsync(CancellationToken cancellationToken) =>
        (JsonShapes.AsObject(await database.GetAsync(Root, cancellationToken: cancellationToken)) ?? [])
            .Where(entry => entry.Value is JsonObject)
            .Select(entry => ToLicense(entry.Key, (JsonObject)entry.Value!))
            .OrderBy(license => license.CreatedAt)
            .ToList();

    /// <summary>Revokes <paramref name="key"/>; false when there is no such key.</summary>
    public async Task<bool> RevokeAsync(string key, CancellationToken cancellationToken)
    {
        if (!DatabasePath.IsValidKey(key) || await database.GetAsync(Path(key), cancellationToken: cancellationToken) is not JsonObject)
        {
            return false;
        }

        await database.UpdateAsync(Path(key), new Dictionary<string, JsonNode?> { [Revoked] = true }, cancellationToken);
        return true;
    }

    /// <summary>
    /// Holds <paramref name="key"/> for <paramref name="attempt"/>, a signup with <paramref name="email"/>, for
    /// <see cref="ReservationTime"/>: a free key (or one whose hold lapsed) is taken, a key held for the same e-mail
    /// is joined (the retry of a signup finds its e-mail's hold, even a lapsed one, and goes on with it), a key held
    /// for another e-mail is refused. A used key answers its account, so that the retry of a signup that finished
    /// can answer the same uid.
    /// </summary>
    public async Task<LicenseReservation> ReserveAsync(string key, string email, string attempt, CancellationToken cancellationToken)
    {
        if (!DatabasePath.IsValidKey(key))
        {
            return LicenseReservation.Unavailable;
        }

        var holder = EmailHolder(email);
        var outcome = LicenseReservation.Unavailable;
        await database.TransactAsync(Path(key), current =>
        {
            outcome = LicenseReservation.Unavailable;
            if (current is not JsonObject record || JsonShapes.IsTrue(record[Revoked]))
            {
                return current?.DeepClone();
            }

            if (record[UsedBy] is { } used)
            {
                // Used, by an account this can name or (an unreadable value) by nobody it can: refused either way.
                outcome = JsonShapes.Text(used) is { } uid ? LicenseReservation.UsedBy(uid) : LicenseReservation.Unavailable;
                return current.DeepClone();
            }

            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            var heldFor = JsonShapes.Text(record[ReservedFor]);
            if (heldFor is not null && heldFor != holder && JsonShapes.Integer(record[ReservedUntil]) > now)
            {
                return current.DeepClone();
            }

            // Another e-mail's lapsed hold is replaced whole; the same e-mail's hold keeps its other shares, each
            // with its own end, so that joining never prolongs a share its attempt left behind.
            var shares = heldFor == holder ? Shares(record) : [];
            shares[attempt] = now + (long)ReservationTime.TotalMilliseconds;
            var updated = (JsonObject)record.DeepClone();
            updated[ReservedFor] = holder;
            SetShares(updated, shares);
            outcome = LicenseReservation.Reserved;
            return updated;
        }, cancellationToken: cancellationToken);
        return outcome;
    }

    /// <summary>
    /// Marks <paramref name="key"/> used by <paramref name="uid"/> if <paramref name="attempt"/> still holds it, and
    /// answers whether the key is now used by <paramref name="uid"/>: true also when it already was (an earlier try
    /// of this claim, or another attempt for the same e-mail, and so the same account), false when the key is used by
    /// another account or this attempt's hold is gone (it lapsed and another e-mail took the key, or the key was
    /// removed). Only a true answer may be followed by the user's licensed record.
    /// </summary>
    public async Task<bool> ClaimAsync(string key, string attempt, string uid, CancellationToken cancellationToken)
    {
        if (!DatabasePath.IsValidKey(key))
        {
            return false;
        }

        var claimed = false;
        await database.TransactAsync(Path(key), current =>
        {
            claimed = false;
            if (current is not JsonObject record)
            {
                return current?.DeepClone();
            }

            if (record[UsedBy] is { } used)
            {
                claimed = JsonShapes.Text(used) == uid;
                return current.DeepClone();
            }

            if (!Holds(record, attempt))
            {
                return current.DeepClone();
            }

            var updated = (JsonObject)record.DeepClone();
            updated[UsedBy] = uid;
            updated[UsedAt] = clock.GetUtcNow().ToUnixTimeMilliseconds();
            updated.Remove(ReservedFor);
            updated.Remove(ReservedUntil);
            updated.Remove(ReservedBy);
            claimed = true;
            return updated;
        }, cancellationToken: cancellationToken);
        return claimed;
    }

    /// <summary>The account that used <paramref name="key"/>, if any.</summary>
    public async Task<string?> UsedByAsync(string key, CancellationToken cancellationToken) =>
        DatabasePath.IsValidKey(key)
            ? JsonShapes.Text(await database.GetAsync($"{Path(key)}/{UsedBy}", cancellationToken: cancellationToken))
            : null;

    /// <summary>
    /// Takes back <paramref name="attempt"/>'s share of the hold on <paramref name="key"/> after its signup failed;
    /// the other attempts' shares stay, and the key is free once none is left. Safe whatever happened before: a used
    /// key, or a hold without this attempt, is left as it is.
    /// </summary>
    public async Task ReleaseAsync(string key, string attempt, CancellationToken cancellationToken)
    {
        if (!DatabasePath.IsValidKey(key))
        {
            return;
        }

        await database.TransactAsync(Path(key), current =>
        {
            if (current is not JsonObject record || record[UsedBy] is not null || !Holds(record, attempt))
            {
                return current?.DeepClone();
            }

            var updated = (JsonObject)record.DeepClone();
            var shares = Shares(record);
            shares.Remove(attempt);
            if (shares.Count == 0)
            {
                updated.Remove(ReservedFor);
                updated.Remove(ReservedUntil);
                updated.Remove(ReservedBy);
            }
            else
            {
                SetShares(updated, shares);
            }

            return updated;
        }, cancellationToken: cancellationToken);
    }

    private static string Path(string key)
    {
        DatabasePath.ValidateKey(key, nameof(key));
        return $"{Root}/{key}";
    }

    /// <summary>Whether <paramref name="attempt"/> has a share of the key's hold (lapsed or not: nobody else took it).</summary>
    private static bool Holds(JsonObject record, string attempt) =>
        JsonShapes.Text(record[ReservedFor]) is not null && JsonShapes.AsObject(record[ReservedBy])?.ContainsKey(attempt) == true;

    /// <summary>The shares of the key's hold: each attempt's id and when its share lapses (Unix ms; 0, long lapsed, when unreadable).</summary>
    private static Dictionary<string, long> Shares(JsonObject record) =>
        (JsonShapes.AsObject(record[ReservedBy]) ?? []).ToDictionary(share => share.Key, share => JsonShapes.Integer(share.Value) ?? 0);

    /// <summary>Writes <paramref name="shares"/> (at least one) and the hold's end, the last share's: another e-mail may take the key after it.</summary>
    private static void SetShares(JsonObject record, Dictionary<string, long> shares)
    {
        record[ReservedBy] = new JsonObject(shares.Select(share => KeyValuePair.Create(share.Key, (JsonNode?)share.Value)));
        record[ReservedUntil] = shares.Values.Max();
    }

    // The key records who holds it without keeping the address in clear: a hash of the normalized e-mail.
    private static string EmailHolder(string email) =>
        "email-sha256:" + Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(email.Trim().ToLowerInvariant())));

    // 128 random bits, URL- and key-safe: "AK-" + 26 base32 characters.
    private static string NewKey() => "AK-" + Base32(RandomNumberGenerator.GetBytes(16));

    private static string Base32(byte[] bytes)
    {
        const string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        var chars = new char[(bytes.Length * 8 + 4) / 5];
        for (int bit = 0, i = 0; i < chars.Length; i++, bit += 5)
        {
            var index = bit / 8;
            var value = (bytes[index] << 8 | (index + 1 < bytes.Length ? bytes[index + 1] : 0)) >> (11 - bit % 8) & 31;
            chars[i] = alphabet[value];
        }

        return new string(chars);
    }

    private static LicenseKey ToLicense(string key, JsonObject record) => new(
        key,
        Instant(record[CreatedAt]),
        JsonShapes.Text(record[CreatedBy]),
        JsonShapes.Text(record[Note]),
        JsonShapes.IsTrue(record[Revoked]),
        JsonShapes.Text(record[UsedBy]));

    /// <summary>A stored time in Unix milliseconds; the epoch when it is missing, not a number, or beyond what a date can hold.</summary>
    private static DateTimeOffset Instant(JsonNode? node) =>
        JsonShapes.Integer(node) is { } milliseconds && milliseconds >= EarliestInstant && milliseconds <= LatestInstant
            ? DateTimeOffset.FromUnixTimeMilliseconds(milliseconds)
            : DateTimeOffset.UnixEpoch;
}

/// <summary>What <see cref="LicenseKeys.ReserveAsync"/> found: the attempt now holds the key, the key was used by an account, or it cannot be used.</summary>
public sealed record LicenseReservation(bool IsReserved, string? Uid)
{
    public static readonly LicenseReservation Reserved = new(true, null);

    public static readonly LicenseReservation Unavailable = new(false, null);

    public static LicenseReservation UsedBy(string uid) => new(false, uid);
}

public sealed record LicenseKey(string Key, DateTimeOffset CreatedAt, string? CreatedBy, string? Note, bool Revoked, string? UsedBy);
