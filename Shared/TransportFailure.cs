using System.Net.Sockets;

namespace AuthApp.Http;

/// <summary>
/// The one rule for "the other side could not be reached or dropped the connection", for every outgoing HTTP call that
/// answers 503 (or retries) when its dependency is away. <see cref="HttpClient"/> usually wraps transport failures in an
/// <see cref="HttpRequestException"/>, but not always: when a peer closes a connection while the pool is opening it,
/// the raw <see cref="SocketException"/> ("Transport endpoint is not connected") comes through, and an
/// <see cref="IOException"/> can too. bench/Chaos found the first as a 500 on sign-in while the Auth emulator was down.
/// Compiled into each project that calls out (the Firebase client, the API's voice client).
/// </summary>
internal static class TransportFailure
{
    public static bool IsTransportFailure(this Exception exception) => exception is HttpRequestException or SocketException or IOException;
}
