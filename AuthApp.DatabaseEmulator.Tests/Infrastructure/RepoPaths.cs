namespace AuthApp.DatabaseEmulator.Tests.Infrastructure;

public static class RepoPaths
{
    /// <summary>The folder holding AuthApp.sln, found by walking up from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The product's rules: the file the AppHost's emulator loads and <c>firebase deploy</c> publishes.</summary>
    public static string ProductRules => Path.Combine(Root, "firebase", "database.rules.json");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AuthApp.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("AuthApp.sln not found above " + AppContext.BaseDirectory);
    }
}
