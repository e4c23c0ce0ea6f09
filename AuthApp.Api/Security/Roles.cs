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

    /// <summary>Destructive account operations: a sign-in at most <see cref="RecentSignInRequirement.MaxAge"/> old.</summary>
    public const string RecentSignIn = "recent-sign-in";
}
