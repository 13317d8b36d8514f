namespace S2cd.Relay;

/// <summary>Where a member joins and leaves its session: the relay's sessions, seen from a member.</summary>
internal interface IRelaySessions
{
    /// <summary>Puts <paramref name="member"/> into session <paramref name="name"/> (made if new), queueing its welcome; or says why not.</summary>
    (RelaySession? Session, (Wire.WireError Code, string Message) Error) AddMember(string name, RelayMember member, Action<Wire.WireMember[]> welcome);

    /// <summary>Takes <paramref name="member"/> out of <paramref name="session"/> (which ends with its last member).</summary>
    void RemoveMember(RelaySession session, RelayMember member);
}

/// <summary>
/// What a relay's members and sessions need of it, and no more: its options and clock, the load that thins video,
/// the counters, the sessions to join, the datagram side once it runs, and where refusals are reported.
/// </summary>
internal sealed class RelayContext(RelayOptions options, TimeProvider time, RelayOverload overload, ConnectionProblems problems, IRelaySessions sessions)
{
    public RelayOptions Options { get; } = options;

    public TimeProvider Time { get; } = time;

    public RelayOverload Overload { get; } = overload;

    public RelayCounters Counters { get; } = new();

    public IRelaySessions Sessions { get; } = sessions;

    /// <summary>The datagram side on the listener's port, once it runs (Relay:Udp and the port was free).</summary>
    public RelayDatagrams? Datagrams { get; set; }

    /// <summary>A join was refused: counted and logged with the others of its kind.</summary>
    public void Refused(string remote, string reason) => problems.Report(ConnectionProblems.JoinRefused, remote, reason);
}
