using System.Text.Json.Nodes;

namespace AuthApp.Api.Tests.Infrastructure;

/// <summary>Accounts read back from (or made straight in) the Auth emulator, to check what an operation left behind.</summary>
public static class AuthAccounts
{
    /// <summary>The uid of the account with <paramref name="email"/>, or null when there is none.</summary>
    public static async Task<string?> FindUidAsync(this ApiDependencies dependencies, string email) =>
        (string?)(await dependencies.Auth.LookUpByEmailAsync(email))?["localId"];

    /// <summary>Creates an account straight in the Auth emulator (no record in the database: an unfinished signup) and returns its uid.</summary>
    public static async Task<string> CreateAccountAsync(this ApiDependencies dependencies, string email, string password)
    {
        var created = await dependencies.Auth.CallAsync(HttpMethod.Post, "identitytoolkit.googleapis.com/v1/accounts:signUp?key=test",
            new JsonObject { ["email"] = email, ["password"] = password });
        return (string)created!["localId"]!;
    }

    /// <summary>Whether an account with <paramref name="uid"/> exists.</summary>
    public static async Task<bool> ExistsAsync(this ApiDependencies dependencies, string uid) =>
        await dependencies.Auth.LookUpAsync(uid) is not null;
}
