namespace AuthApp.Api.Security;

public static class Roles
{
    /// <summary>Manages license keys. A Firebase custom claim <c>{"admin": true}</c>.</summary>
    public const string Admin = "admin";
}

public static class Policies
{
    /// <summary>The original's rule: the user's record must have <c>verifiedAccess: true</c>.</summary>
    public const string VerifiedAccess = "verified-access";

    public const string Admin = "admin";
}
