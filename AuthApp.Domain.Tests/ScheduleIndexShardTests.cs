using System.Text;
using CsCheck;
using StackExchange.Redis;

namespace AuthApp.Domain.Tests;

public sealed class ScheduleIndexShardTests
{
    [Fact]
    public void Each_shard_lies_in_its_own_sixteenth_of_the_cluster_slots()
    {
        // What a Redis Cluster hashes (the tag), with its CRC16: three masters with equal ranges then hold 6/5/5 shards.
        Assert.Equal(16, ScheduleIndexShard.All.Count);
        foreach (var shard in ScheduleIndexShard.All)
        {
            var slot = Crc16(Encoding.ASCII.GetBytes(shard.Tag)) % 16384;
            Assert.InRange(slot, shard.Number * 1024, (shard.Number * 1024) + 1023);
        }

        var perMaster = ScheduleIndexShard.All
            .GroupBy(shard => (Crc16(Encoding.ASCII.GetBytes(shard.Tag)) % 16384) switch { <= 5460 => 0, <= 10922 => 1, _ => 2 })
            .Select(master => master.Count()).Order().ToArray();
        Assert.Equal([5, 5, 6], perMaster);
    }

    [Fact]
    public void Every_key_of_a_shard_carries_its_hash_tag_so_a_cluster_keeps_the_shard_in_one_slot()
    {
        Gen.String.Where(uid => uid.Length > 0 && !uid.Contains('/')).Sample(uid =>
        {
            var shard = ScheduleIndexShard.Of(uid);
            Assert.Same(shard, ScheduleIndexShard.Of(new string(uid)));
            RedisKey[] keys = [shard.DueKey, shard.HeldKey, shard.QuarantineKey, shard.UsersKey, shard.BuiltKey, shard.RebuildKey,
                shard.SeenKey, shard.AuditStream, shard.UserKey(uid), shard.RemovedUserKey(uid)];
            Assert.All(keys, key => Assert.Equal(shard.Tag, HashTag(key!)));
        });
    }

    [Fact]
    public void Users_spread_evenly_over_the_shards()
    {
        var counts = new int[ScheduleIndexShard.Count];
        for (var i = 0; i < 160_000; i++)
        {
            counts[ScheduleIndexShard.Of($"user-{i:x}").Number]++;
        }

        // 10,000 expected per shard; the binomial spread is ~100.
        Assert.All(counts, count => Assert.InRange(count, 9_500, 10_500));
    }

    [Fact]
    public void The_shard_of_a_uid_never_changes_between_versions()
    {
        // Pinned: a change of the hash would move every user to other keys (the index would be rebuilt from scratch).
        Assert.Equal([7, 3, 11], new[] { "alice", "u1", "Xy7pQ2nVb9aTzK3mWq5rLs8dEf1" }.Select(uid => ScheduleIndexShard.Of(uid).Number));
    }

    private static string HashTag(string key)
    {
        var open = key.IndexOf('{');
        var close = key.IndexOf('}', open + 1);
        return key[(open + 1)..close];
    }

    /// <summary>CRC16-CCITT (XModem), the hash of Redis Cluster's key slots.</summary>
    private static int Crc16(byte[] bytes)
    {
        var crc = 0;
        foreach (var b in bytes)
        {
            crc ^= b << 8;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? ((crc << 1) ^ 0x1021) & 0xFFFF : (crc << 1) & 0xFFFF;
            }
        }

        return crc;
    }
}
