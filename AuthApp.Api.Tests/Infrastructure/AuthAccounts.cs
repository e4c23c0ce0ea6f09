using System.Text.Json.Nodes;

namespace AuthApp.Api.Tests.Infrastructure;

/// <summary>Reads accounts back from the Auth emulator, as an administrator, to check what an operation left behind.</summary>
public static class AuthAccounts
{
    /// <summary>The uid of the account with <paramref name="email"/>, or null when there is none.</summary>
    public static async Task<string?> FindUidAsync(this ApiDependencies dependencies, string email)
    {
        var found = await dependencies.CallAuthEmulatorAsync(HttpMethod.Post,
            $"identitytoolkit.googleapis.com/v1/projects/{AuthEmulatorFixture.ProjectId}/accounts:lookup",
            new JsonObject { ["email"] = new JsonArray(email) });
        return (string?)found?["users"]?[0]?["localId"];
    }

    /// <summary>Creates an account straight in the Auth emulator (no record in the database: an unfinished signup) and returns its uid.</summary>
    public static async Task<string> CreateAccountAsync(this ApiDependencies dependencies, string email, string password)
    {
        var created = await dependencies.CallAuthEmulatorAsync(HttpMethod.Post, "identitytoolkit.googleapis.com/v1/accounts:signUp?key=test",
            new JsonObject { ["email"] = email, ["password"] = password });
        return (string)created!["localId"]!;
    }

    /// <summary>Whether an account with <paramref name="uid"/> exists.</summary>
    public static async Task<bool> ExistsAsync(this ApiDependencies dependencies, string uid)
    {
        var found = await dependencies.CallAuthEmulatorAsync(HttpMethod.Post,
            $"identitytoolkit.googleapis.com/v1/projects/{AuthEmulatorFixture.ProjectId}/accounts:lookup",
            new JsonObject { ["localId"] = new JsonArray(uid) });
        return found?["users"] is JsonArray { Count: > 0 };
    }
}
