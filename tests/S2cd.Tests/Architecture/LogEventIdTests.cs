using System.Reflection;
using Microsoft.Extensions.Logging;

namespace S2cd.Tests.Architecture;

/// <summary>
/// Every [LoggerMessage] of the daemon's assemblies has an event id of its own, across all of them (a journal search by
/// id finds one kind of line), read from the compiled code, so a copied id fails here instead of by convention.
/// </summary>
public sealed class LogEventIdTests
{
    private static readonly Assembly[] Daemon = [typeof(S2cd.Conference.ConferenceLink).Assembly, typeof(S2cd.Relay.RelayServer).Assembly, typeof(S2cd.Wire.FrameType).Assembly];

    [Fact]
    public void EveryLogMessage_HasAnEventIdOfItsOwn()
    {
        var messages = Daemon
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(x => x.Attribute is not null)
            .Select(x => (Id: x.Attribute!.EventId, Where: $"{x.Method.DeclaringType!.Name}.{x.Method.Name}"))
            .ToList();
        Assert.True(messages.Count > 50, $"only {messages.Count} log messages found: the attribute is not read");
        Assert.DoesNotContain(messages, m => m.Id <= 0);
        var shared = messages.GroupBy(m => m.Id).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Where))}").ToList();
        Assert.True(shared.Count == 0, "event ids used twice: " + string.Join("; ", shared));
    }

    [Theory]
    [InlineData(typeof(S2cd.LogEvents))]
    [InlineData(typeof(S2cd.Relay.RelayLogEvents))]
    public void EveryEventIdOfAnAssembly_IsDeclaredInItsOnePlace(Type place)
    {
        var declared = place.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).ToDictionary(f => (int)f.GetRawConstantValue()!, f => f.Name);
        var used = place.Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => m.GetCustomAttribute<LoggerMessageAttribute>()?.EventId)
            .OfType<int>()
            .ToHashSet();
        Assert.True(declared.Count == declared.Values.Distinct().Count() && declared.Count > 10, $"{place.Name} declares {declared.Count} ids");
        var undeclared = used.Where(id => !declared.ContainsKey(id)).ToList();
        Assert.True(undeclared.Count == 0, "ids written at a message: " + string.Join(", ", undeclared));
        var unused = declared.Where(d => !used.Contains(d.Key)).Select(d => d.Value).ToList();
        Assert.True(unused.Count == 0, "ids declared for no message: " + string.Join(", ", unused));
    }
}
