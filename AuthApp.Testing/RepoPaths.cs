using System.Reflection;

namespace AuthApp.Testing;

/// <summary>Paths in the checkout the tests were built from: the only finder of the repository's root.</summary>
public static class RepoPaths
{
    /// <summary>The folder holding AuthApp.sln, found by walking up from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The product's rules: the file the AppHost's emulator loads and <c>firebase deploy</c> publishes.</summary>
    public static string ProductRules => Path.Combine(Root, "firebase", "database.rules.json");

    /// <summary>The project file of <paramref name="project"/> (e.g. <c>AuthApp.Api</c>).</summary>
    public static string ProjectFile(string project) => Path.Combine(Root, project, $"{project}.csproj");

    /// <summary>
    /// The built main assembly of <paramref name="project"/> in this test run's configuration (Debug or Release, as
    /// the test assemblies were built), for tests that run it as a process of its own.
    /// </summary>
    public static string BuiltAssembly(string project) => BuiltAssembly(project, project);

    /// <summary>As <see cref="BuiltAssembly(string)"/>, for a project in <paramref name="folder"/> (e.g. <c>bench/Chaos</c>).</summary>
    public static string BuiltAssembly(string folder, string project) => Path.Combine(
        Root, folder, "bin",
        typeof(RepoPaths).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug",
        "net10.0", $"{project}.dll");

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
