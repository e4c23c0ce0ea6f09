namespace AuthApp.Tests.Infrastructure;

/// <summary>Paths in the checkout the tests were built from.</summary>
public static class Repository
{
    /// <summary>The folder holding <c>AuthApp.sln</c>, found upwards from the AppHost project.</summary>
    public static string Root { get; } = FindRoot(Projects.AuthApp_AppHost.ProjectPath);

    public static string ProjectFile(string project) => Path.Combine(Root, project, $"{project}.csproj");

    private static string FindRoot(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AuthApp.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No AuthApp.sln above {start}.");
    }
}
