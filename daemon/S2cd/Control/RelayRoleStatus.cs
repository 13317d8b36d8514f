using S2cd.Contract;
using S2cd.Platform;
using S2cd.Relay;

namespace S2cd.Control;

/// <summary>What <c>status</c> says of a daemon in the relay role: who it is and what its relay carries.</summary>
internal static class RelayRoleStatus
{
    public static StatusResult Of(RelayServer relay, string name) => new()
    {
        Role = "relay",
        DaemonVersion = DaemonInfo.Version,
        Name = name,
        Connection = ConnectionState.Idle,
        Muted = false,
        CameraOn = false,
        Participants = 0,
        RelayListen = relay.LocalEndPoint?.ToString(),
        RelayWeb = relay.WebAddress,
        RelaySessions = relay.SessionCount,
        RelayConnections = relay.ConnectionCount,
        RelayDatagramsReceived = relay.Datagrams?.Received ?? 0,
        RelayDatagramsRejected = relay.Datagrams?.Rejected ?? 0,
        RelayLoad = Math.Round(relay.Overload.Load, 1),
        RelayBusy = relay.Overload.Busy,
        RelayVideoShed = relay.Overload.VideoShed,
        RelayFabric = relay.Fabric is null ? null : relay.Fabric.Connected ? "connected" : "reconnecting",
        RelayFabricPublished = relay.Fabric?.Published ?? 0,
        RelayFabricReceived = relay.Fabric?.Received ?? 0,
        RelayFabricRejected = relay.Fabric?.Rejected ?? 0,
        RelayFabricDropped = relay.Fabric?.Dropped ?? 0,
        Problems = relay.WebProblem is { } web ? [$"web front not serving: {web}"] : [],
    };
}
