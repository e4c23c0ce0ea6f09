namespace AuthApp.Api;

/// <summary>The original's plain acknowledgement: <c>{"message": "..."}</c>.</summary>
public sealed record MessageResponse(string Message);
