namespace AuthApp.DatabaseEmulator.Tree;

/// <summary>
/// Push ids as the Firebase SDKs make them: 8 characters of millisecond time then 12 random ones,
/// from an alphabet in ASCII order, so ids sort chronologically; within one millisecond the random
/// part is incremented, so ids stay strictly increasing.
/// </summary>
internal sealed class PushIds(TimeProvider time)
{
    private const string PushChars = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

    private readonly Lock _sync = new();
    private readonly int[] _lastRandom = new int[12];
    private long _lastTime = long.MinValue;

    public string Next()
    {
        Span<char> id = stackalloc char[20];
        lock (_sync)
        {
            var now = Math.Max(time.GetUtcNow().ToUnixTimeMilliseconds(), _lastTime);
            var duplicate = now == _lastTime;
            _lastTime = now;

            for (var i = 7; i >= 0; i--)
            {
                id[i] = PushChars[(int)(now % 64)];
                now /= 64;
            }

            if (!duplicate)
            {
                for (var i = 0; i < 12; i++)
                {
                    _lastRandom[i] = Random.Shared.Next(64);
                }
            }
            else
            {
                var i = 11;
                for (; i >= 0 && _lastRandom[i] == 63; i--)
                {
                    _lastRandom[i] = 0;
                }

                if (i < 0)
                {
                    // 64^12 ids in one millisecond: move on to the next one.
                    _lastTime++;
                    return Next();
                }

                _lastRandom[i]++;
            }

            for (var i = 0; i < 12; i++)
            {
                id[8 + i] = PushChars[_lastRandom[i]];
            }
        }

        return new string(id);
    }
}
