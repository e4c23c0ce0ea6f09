using System.Diagnostics;

namespace Aspire.Hosting;

/// <summary>The processes of this machine, by id: what a local run leaves behind is judged by these.</summary>
public static class LocalProcesses
{
    /// <summary>Whether a process with <paramref name="pid"/> exists and has not exited.</summary>
    public static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
