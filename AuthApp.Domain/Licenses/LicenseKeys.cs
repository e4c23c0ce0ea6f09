using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AuthApp.Domain.Users;
using AuthApp.Firebase.Database;

namespace AuthApp.Domain.Licenses;

/// <summary>
/// Signup license keys (the original's <c>/admin</c> page and JSON file), kept in the Realtime Database
/// under <c>licenseKeys/{key}</c>: <c>{createdAt, createdBy, note, revoked, usedBy, usedAt}</c>. A key admits
/// one account; claiming and releasing it are database transactions, so two signups cannot both use it and a
/// release never frees a key another account holds. Used by the API (signup, the admin API) and by the
/// developer bootstrap commands.
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
    /// Marks <paramref name="key"/> as used by <paramref name="uid"/>. True when it now is: it was free, or
    /// <paramref name="uid"/> already held it (a retried signup). False when it is unknown, revoked or another's.
    /// </summary>
    public async Task<bool> TryClaimAsync(string key, string uid, CancellationToken cancellationToken)
    {
        if (!DatabasePath.IsValidKey(key))
        {
            return false;
        }

        var claimed = false;
        await database.TransactAsync(Path(key), current =>
        {
            claimed = false;
            if (current is not JsonObject record || IsTrue(record[Revoked]))
            {
                return current?.DeepClone();
            }

            var holder = JsonShapes.Text(record[UsedBy]);
            if (holder is not null)
            {
                claimed = holder == uid;
                return current.DeepClone();
            }

            var updated = (JsonObject)record.DeepClone();
            updated[UsedBy] = uid;
            updated[UsedAt] = clock.GetUtcNow().ToUnixTimeMilliseconds();
            claimed = true;
            return updated;
        }, cancellationToken: cancellationToken);
        return claimed;
    }

    /// <summary>Gives <paramref name="key"/> back after a signup by <paramref name="uid"/> failed; a key held by anyone else is left alone.</summary>
    public async Task ReleaseAsync(string key, string uid, CancellationToken cancellationToken)
    {
        if (!DatabasePath.IsValidKey(key))
        {
            return;
        }

        await database.TransactAsync(Path(key), current =>
        {
            if (current is not JsonObject record || JsonShapes.Text(record[UsedBy]) != uid)
            {
                return current?.DeepClone();
            }

            var updated = (JsonObject)record.DeepClone();
            updated.Remove(UsedBy);
            updated.Remove(UsedAt);
            return updated;
        }, cancellationToken: cancellationToken);
    }

    /// <summary>Whether <paramref name="key"/> could be claimed by <paramref name="uid"/> now (checked before creating an account).</summary>
    public async Task<bool> IsAvailableAsync(string key, string? uid, CancellationToken cancellationToken) =>
        DatabasePath.IsValidKey(key)
        && await database.GetAsync(Path(key), cancellationToken: cancellationToken) is JsonObject record
        && !IsTrue(record[Revoked])
        && (JsonShapes.Text(record[UsedBy]) is not { } holder || holder == uid);

    private static string Path(string key)
    {
        DatabasePath.ValidateKey(key, nameof(key));
        return $"{Root}/{key}";
    }

    private static bool IsTrue(JsonNode? node) => JsonShapes.IsTrue(node);

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
        DateTimeOffset.FromUnixTimeMilliseconds(JsonShapes.Integer(record[CreatedAt]) ?? 0),
        JsonShapes.Text(record[CreatedBy]),
        JsonShapes.Text(record[Note]),
        IsTrue(record[Revoked]),
        JsonShapes.Text(record[UsedBy]));
}

public sealed record LicenseKey(string Key, DateTimeOffset CreatedAt, string? CreatedBy, string? Note, bool Revoked, string? UsedBy);
