using System.Buffers.Binary;

namespace S2cd.Relay.Fabric;

/// <summary>
/// Each relay of a fabric holds a tag of <see cref="Bits"/> bits that no other relay connected to the fabric holds,
/// and its member ids are the tag and a counter: so members of one session on different relays never share an
/// id. A relay claims a tag on the fabric's tag subject and keeps it when nobody objects within a quiet time; a
/// relay holding that tag objects, and of two relays claiming one tag at once the lower node keeps it. Holders
/// say what they hold every second, so that after a partition heals, two relays that took the same tag meanwhile
/// find out: the higher node takes a new tag for its new members (and says so in the log).
/// </summary>
internal sealed class FabricTags : IDisposable
{
    public const int Bits = 12;

    /// <summary>A tag heard more recently than this is held by someone: a new pick avoids it.</summary>
    private static readonly TimeSpan Remembered = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private readonly FabricSeal _seal;
    private readonly ulong _node;
    private readonly Action<string, byte[]> _publish;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly Dictionary<uint, long> _heard = [];
    private uint _tag;
    private bool _settled;
    private TaskCompletionSource _objection = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FabricTags(byte[] fabricKey, ulong node, Action<string, byte[]> publish, TimeProvider time, Random random)
    {
        // A session name never holds a NUL, so no session's subject or key can be this one's.
        _seal = new FabricSeal(fabricKey, "\0relay tags");
        _node = node;
        _publish = publish;
        _time = time;
        _random = random;
    }

    /// <summary>A settled relay found that another one holds its tag too: the old tag, the new one.</summary>
    public event Action<uint, uint>? Retagged;

    public string Subject => _seal.Subject;

    /// <summary>This relay's tag (1 .. 2^<see cref="Bits"/> − 1): it may change after a partition heals.</summary>
    public uint Tag
    {
        get
        {
            lock (_lock)
            {
                return _tag;
            }
        }
    }

    /// <summary>
    /// Claims a tag: picks one nobody was heard holding, says so, and keeps it when no objection comes within
    /// <paramref name="quiet"/>; otherwise picks again. The fabric's subscription must be open before this.
    /// </summary>
    public async Task ClaimAsync(TimeSpan quiet, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 64; attempt++)
        {
            Task objection;
            uint tag;
            lock (_lock)
            {
                _tag = tag = Pick();
                _objection = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                objection = _objection.Task;
            }

            Publish(TagMessage.Claim, tag);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (await Task.WhenAny(objection, Task.Delay(quiet, _time, wait.Token)).ConfigureAwait(false) != objection)
            {
                cancellationToken.ThrowIfCancellationRequested();
                lock (_lock)
                {
                    _settled = true;
                }

                return;
            }

            await wait.CancelAsync().ConfigureAwait(false);
        }

        throw new InvalidOperationException("no relay tag was left free on the fabric after 64 claims");
    }

    /// <summary>Every second, from the fabric's tick: this relay holds its tag.</summary>
    public void Tick()
    {
        uint tag;
        lock (_lock)
        {
            if (!_settled)
            {
                return;
            }

            tag = _tag;
        }

        Publish(TagMessage.Held, tag);
    }

    /// <summary>A message on the tag subject; false when it does not open or parse.</summary>
    public bool OnMessage(ReadOnlySpan<byte> sealed_)
    {
        if (_seal.Open(sealed_) is not { Length: 13 } plain || plain[0] is not ((byte)TagMessage.Claim or (byte)TagMessage.Held))
        {
            return false;
        }

        var type = (TagMessage)plain[0];
        var node = BinaryPrimitives.ReadUInt64LittleEndian(plain.AsSpan(1));
        var tag = BinaryPrimitives.ReadUInt32LittleEndian(plain.AsSpan(9));
        if (tag is 0 or >= 1 << Bits)
        {
            return false;
        }

        if (node == _node)
        {
            return true;
        }

        var answer = 0u;
        (uint Old, uint New)? retagged = null;
        lock (_lock)
        {
            _heard[tag] = _time.GetTimestamp();
            if (tag != _tag)
            {
                return true;
            }

            if (!_settled)
            {
                // Claiming it ourselves: a holder, or a lower node claiming at the same time, has it.
                if (type == TagMessage.Held || node < _node)
                {
                    _objection.TrySetResult();
                }
                else
                {
                    answer = _tag;
                }
            }
            else if (type == TagMessage.Claim)
            {
                answer = _tag;
            }
            else if (node < _node)
            {
                // Two holders of one tag (a partition healed): the lower node keeps it.
                var old = _tag;
                _tag = Pick();
                retagged = (old, _tag);
                answer = _tag;
            }
        }

        if (answer != 0)
        {
            Publish(TagMessage.Held, answer);
        }

        if (retagged is { } change)
        {
            Retagged?.Invoke(change.Old, change.New);
        }

        return true;
    }

    public void Dispose() => _seal.Dispose();

    /// <summary>A tag not heard from anyone lately and not ours now. Under the lock.</summary>
    private uint Pick()
    {
        var now = _time.GetTimestamp();
        for (var attempt = 0; ; attempt++)
        {
            var tag = (uint)_random.Next(1, 1 << Bits);
            var recent = _heard.TryGetValue(tag, out var at) && _time.GetElapsedTime(at, now) < Remembered;
            if ((!recent && tag != _tag) || attempt > 10_000)
            {
                return tag;
            }
        }
    }

    private void Publish(TagMessage type, uint tag)
    {
        Span<byte> plain = stackalloc byte[13];
        plain[0] = (byte)type;
        BinaryPrimitives.WriteUInt64LittleEndian(plain[1..], _node);
        BinaryPrimitives.WriteUInt32LittleEndian(plain[9..], tag);
        _publish(Subject, _seal.Seal(plain));
    }

    private enum TagMessage : byte
    {
        Claim = 1,
        Held = 2,
    }
}
