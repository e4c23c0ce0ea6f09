using System.Net;

namespace AuthApp.Api.RateLimiting;

/// <summary>
/// The client as the limits count it: the connection's address (or the one a trusted proxy forwarded), IPv4-mapped
/// IPv6 as IPv4, and IPv6 by its /64, the block one subscriber is given: counting single IPv6 addresses would let
/// one client rotate through 2^64 of them.
/// </summary>
public static class ClientAddress
{
    public static string Of(HttpContext context) => Of(context.Connection.RemoteIpAddress);

    public static string Of(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }
}
