using System.Reflection;

namespace S2cd.Tests.Architecture;

/// <summary>
/// The daemon's shape, read from the compiled assemblies: folders (namespaces) depend on each other one way, and the
/// edges the design forbids do not exist. A new reference that closes a circle fails here, naming it.
/// </summary>
public sealed class DependencyTests
{
    private static readonly Assembly[] Daemon = [typeof(S2cd.Conference.ConferenceLink).Assembly, typeof(S2cd.Relay.RelayServer).Assembly, typeof(S2cd.Wire.FrameType).Assembly];

    private static Dictionary<string, HashSet<string>> Edges()
    {
        var all = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var assembly in Daemon)
        {
            foreach (var (from, to) in TypeReferences.NamespaceEdges(assembly, n => n.StartsWith("S2cd.", StringComparison.Ordinal) && n != "S2cd.Contract"))
            {
                if (!all.TryGetValue(from, out var targets))
                {
                    all[from] = targets = new HashSet<string>(StringComparer.Ordinal);
                }

                targets.UnionWith(to);
            }
        }

        return all;
    }

    [Fact]
    public void Folders_DependOnEachOtherOneWay()
    {
        var edges = Edges();
        var cycles = new List<string>();
        foreach (var (from, targets) in edges)
        {
            foreach (var to in targets)
            {
                if (Reaches(edges, to, from, out var path))
                {
                    cycles.Add($"{from} -> {string.Join(" -> ", path)}");
                }
            }
        }

        Assert.True(cycles.Count == 0, "folders in a circle:\n" + string.Join('\n', cycles.Distinct().Order()) + "\n\nall edges:\n" + Describe(edges));
    }

    [Theory]
    [InlineData("S2cd.Relay", "S2cd.Video")]
    [InlineData("S2cd.Relay", "S2cd.Audio")]
    [InlineData("S2cd.Relay", "S2cd.Render")]
    [InlineData("S2cd.Relay", "S2cd.Conference")]
    [InlineData("S2cd.Wire", "S2cd.Conference")]
    [InlineData("S2cd.Transport", "S2cd.Conference")]
    [InlineData("S2cd.Conference", "S2cd.Hosting")]
    [InlineData("S2cd.Conference", "S2cd.Control")]
    public void ForbiddenEdge_IsAbsent(string from, string to)
    {
        var edges = Edges();
        Assert.True(!edges.TryGetValue(from, out var targets) || !targets.Contains(to), $"{from} uses {to}");
    }

    [Fact]
    public void TheRelayAndTheContract_ReferenceNoMediaLibrary_AndAttachNoDaemonPart()
    {
        foreach (var assembly in new[] { typeof(S2cd.Relay.RelayServer).Assembly, typeof(S2cd.Wire.FrameType).Assembly, typeof(S2cd.Contract.StatusResult).Assembly })
        {
            // The contract's interfaces are StreamJsonRpc contracts; the relay and the wire know nothing of JSON-RPC.
            var names = assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
            var rpc = assembly == typeof(S2cd.Contract.StatusResult).Assembly ? null : "StreamJsonRpc";
            Assert.DoesNotContain(names, n => n.StartsWith("OpenCvSharp", StringComparison.Ordinal) || n == "s2cd" || n == rpc);
        }

        var attach = Assembly.LoadFrom(Path.Combine(AppContext.BaseDirectory, "s2c-attach.dll")).GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.DoesNotContain(attach, n => n.StartsWith("OpenCvSharp", StringComparison.Ordinal) || n is "s2cd" or "S2cd.Relay" or "S2cd.Net");
    }

    private static bool Reaches(Dictionary<string, HashSet<string>> edges, string start, string goal, out List<string> path)
    {
        var previous = new Dictionary<string, string>(StringComparer.Ordinal);
        var queue = new Queue<string>([start]);
        var seen = new HashSet<string>(StringComparer.Ordinal) { start };
        while (queue.TryDequeue(out var node))
        {
            if (node == goal)
            {
                path = [node];
                while (previous.TryGetValue(path[0], out var before))
                {
                    path.Insert(0, before);
                }

                return true;
            }

            foreach (var next in edges.GetValueOrDefault(node) ?? [])
            {
                if (seen.Add(next))
                {
                    previous[next] = node;
                    queue.Enqueue(next);
                }
            }
        }

        path = [];
        return false;
    }

    private static string Describe(Dictionary<string, HashSet<string>> edges) =>
        string.Join('\n', edges.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key} -> {string.Join(", ", e.Value.Order())}"));
}
