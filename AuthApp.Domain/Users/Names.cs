using AuthApp.Firebase.Database;

namespace AuthApp.Domain.Users;

/// <summary>
/// Venue, device and sensor names. Each becomes one database key, so the database's key rules apply
/// (non-empty, no <c>. # $ [ ] /</c> or control characters), plus the product's: at most
/// <see cref="UserDataLimits.MaxNameLength"/> characters and not a reserved child of a venue.
/// </summary>
public static class Names
{
    public const string Rule = "a non-empty name of at most 100 characters without . # $ [ ] / or control characters";

    public static bool IsValid(string? name) =>
        name is { Length: > 0 and <= UserDataLimits.MaxNameLength }
        && DatabasePath.IsValidKey(name)
        && !VenueFields.IsReserved(name);
}

/// <summary>The states a device takes: <c>on</c>, <c>off</c> or a level <c>1</c>..<c>5</c>.</summary>
public static class DeviceValues
{
    public const string Off = "off";

    public static readonly IReadOnlyList<string> Allowed = ["on", "off", "1", "2", "3", "4", "5"];

    public static bool IsAllowed(string? value) => value is not null && Allowed.Contains(value);
}
