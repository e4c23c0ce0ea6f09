namespace AuthApp.Scheduler.Schedules;

/// <summary>Whether a due occurrence still fires, given how late it is.</summary>
public static class CatchUp
{
    /// <summary>
    /// An occurrence fires when it is due (<paramref name="occurrence"/> at or before <paramref name="now"/>)
    /// and at most <paramref name="window"/> late; a later one is skipped.
    /// </summary>
    public static CatchUpDecision Decide(DateTimeOffset occurrence, DateTimeOffset now, TimeSpan window)
    {
        var lateness = now - occurrence;
        if (lateness < TimeSpan.Zero)
        {
            return new CatchUpDecision(CatchUpAction.NotDue, TimeSpan.Zero);
        }

        return new CatchUpDecision(lateness <= window ? CatchUpAction.Fire : CatchUpAction.Skip, lateness);
    }
}

public enum CatchUpAction
{
    NotDue,
    Fire,
    Skip,
}

public readonly record struct CatchUpDecision(CatchUpAction Action, TimeSpan Lateness);
