namespace AuthApp.Firebase.Database;

/// <summary>
/// Where database requests go. Production: the configured <c>DatabaseUrl</c>. Emulator:
/// <c>http://{DatabaseEmulatorHost}</c> with <c>?ns={namespace}</c>, the namespace being the
/// first label of <c>DatabaseUrl</c>'s host, or <c>{projectId}-default-rtdb</c>.
/// </summary>
public sealed record DatabaseEndpoint(Uri BaseUri, string? Namespace)
{
    public bool IsEmulator => Namespace is not null;

    public static DatabaseEndpoint From(FirebaseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.UsesDatabaseEmulator)
        {
            var host = options.DatabaseEmulatorHost!.Trim();
            if (host.Contains("://", StringComparison.Ordinal))
            {
                throw new InvalidOperationException("Firebase:DatabaseEmulatorHost must be host:port, without a scheme.");
            }

            var ns = options.DatabaseUrl is { } url
                ? url.Host.Split('.')[0]
                : $"{options.ProjectId}-default-rtdb";
            return new DatabaseEndpoint(new Uri($"http://{host}", UriKind.Absolute), ns);
        }

        if (options.DatabaseUrl is not { IsAbsoluteUri: true } databaseUrl)
        {
            throw new InvalidOperationException("Firebase:DatabaseUrl is required unless Firebase:DatabaseEmulatorHost is set.");
        }

        if (databaseUrl.Scheme != Uri.UriSchemeHttps)
        {
            throw new InvalidOperationException("Firebase:DatabaseUrl must be an https URL.");
        }

        return new DatabaseEndpoint(new Uri(databaseUrl.GetLeftPart(UriPartial.Authority), UriKind.Absolute), null);
    }
}
