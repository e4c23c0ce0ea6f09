using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AuthApp.Domain.Users;
using AuthApp.Firebase.Database;

namespace AuthApp.Domain.Licenses;

/// <summary>
/// Signup license keys (the original's <c>/admin</c> page and JSON file), kept in the Realtime Database
/// under <c>licenseKeys/{key}</c>: <c>{createdAt, createdBy, note, revoked, usedBy, usedAt, reservedFor,
/// reservedUntil}</c>. A key admits one account. A signup first reserves the key for its e-mail address (a
/// transaction, so two signups cannot both hold it; the reservation lapses on its own if the signup is
/// abandoned), then marks it used in the same atomic write that creates the user's record
/// (<see cref="ClaimUpdates"/>): a key is never used up by a signup that did not finish. Used by the API
/// (signup, the admin API) and by the developer bootstrap commands.
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

    /// <summary>How long a signup in progress holds its key; longer than any signup takes, short enough to free an abandoned one.</summary>
    public static readonly TimeSpan ReservationTime = TimeSpan.FromMinutes(10);

    private static readonly long EarliestInstant = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();

    private static readonly long LatestInstant = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

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
    /// Holds <paramref name="key"/> for a signup with <paramref name="email"/> for <see cref="ReservationTime"/>. A
    /// retry of the same signup finds its own reservation (or, if that signup finished, the account that used it).
    /// </summary>
    public async Task<LicenseReservation> ReserveAsync(string key, string email, CancellationToken cancellationToken)
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
            if (current is not JsonObject record || IsTrue(record[Revoked]))
            {
                return current?.DeepClone();
            }

            if (JsonShapes.Text(record[UsedBy]) is { } uid)
            {
                outcome = LicenseReservation.UsedBy(uid);
                return current.DeepClone();
            }

            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            if (JsonShapes.Text(record[ReservedFor]) is { } other && other != holder && JsonShapes.Integer(record[ReservedUntil]) > now)
            {
                return current.DeepClone();
            }

            var updated = (JsonObject)record.DeepClone();
            updated[ReservedFor] = holder;
            updated[ReservedUntil] = now + (long)ReservationTime.TotalMilliseconds;
            outcome = LicenseReservation.Reserved;
            return updated;
        }, cancellationToken: cancellationToken);
        return outcome;
    }

    /// <summary>
    /// The writes that mark <paramref name="key"/> used by <paramref name="uid"/>, as paths from the database root,
    /// for the caller's multi-path update that creates the user's record in the same atomic write.
    /// </summary>
    public IReadOnlyDictionary<string, JsonNode?> ClaimUpdates(string key, string uid) => new Dictionary<string, JsonNode?>
    {
        [$"{Path(key)}/{UsedBy}"] = uid,
        [$"{Path(key)}/{UsedAt}"] = clock.GetUtcNow().ToUnixTimeMilliseconds(),
        [$"{Path(key)}/{ReservedFor}"] = null,
        [$"{Path(key)}/{ReservedUntil}"] = null,
    };

    /// <summary>The account that used <paramref name="key"/>, if any.</summary>
    public async Task<string?> UsedByAsync(string key, CancellationToken cancellationToken) =>
        DatabasePath.IsValidKey(key)
            ? JsonShapes.Text(await database.GetAsync($"{Path(key)}/{UsedBy}", cancellationToken: cancellationToken))
            : null;

    /// <summary>Gives <paramref name="key"/> back after the signup with <paramref name="email"/> failed; anyone else's hold is left alone.</summary>
    public async Task ReleaseAsync(string key, string email, CancellationToken cancellationToken)
    {
        if (!DatabasePath.IsValidKey(key))
        {
            return;
        }

        var holder = EmailHolder(email);
        await database.TransactAsync(Path(key), current =>
        {
            if (current is not JsonObject record || JsonShapes.Text(record[ReservedFor]) != holder || record[UsedBy] is not null)
            {
                return current?.DeepClone();
            }

            var updated = (JsonObject)record.DeepClone();
            updated.Remove(ReservedFor);
            updated.Remove(ReservedUntil);
            return updated;
        }, cancellationToken: cancellationToken);
    }

    private static string Path(string key)
    {
        DatabasePath.ValidateKey(key, nameof(key));
        return $"{Root}/{key}";
    }

    private static bool IsTrue(JsonNode? node) => JsonShapes.IsTrue(node);

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
        IsTrue(record[Revoked]),
        JsonShapes.Text(record[UsedBy]));

    /// <summary>A stored time in Unix milliseconds; the epoch when it is missing, not a number, or beyond what a date can hold.</summary>
    private static DateTimeOffset Instant(JsonNode? node) =>
        JsonShapes.Integer(node) is { } milliseconds && milliseconds >= EarliestInstant && milliseconds <= LatestInstant
            ? DateTimeOffset.FromUnixTimeMilliseconds(milliseconds)
            : DateTimeOffset.UnixEpoch;
}

/// <summary>What <see cref="LicenseKeys.ReserveAsync"/> found: the key is now held for the signup, was used by an account, or cannot be used.</summary>
public sealed record LicenseReservation(bool IsReserved, string? Uid)
{
    public static readonly LicenseReservation Reserved = new(true, null);

    public static readonly LicenseReservation Unavailable = new(false, null);

    public static LicenseReservation UsedBy(string uid) => new(false, uid);
}

public sealed record LicenseKey(string Key, DateTimeOffset CreatedAt, string? CreatedBy, string? Note, bool Revoked, string? UsedBy);
