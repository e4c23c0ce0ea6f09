using System.Security.Cryptography;
using System.Text;

namespace AuthApp.Domain.Users;

/// <summary>
/// A user named in a log line about their data: the first 16 hex digits of the uid's SHA-256. Enough to group one
/// tenant's lines and to find them again from a known uid, without putting the uid itself in every log.
/// </summary>
public static class UserHash
{
    public static string Of(string uid) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(uid)))[..16];
}
