using Microsoft.Extensions.Hosting;

namespace S2cd.Conference;

/// <summary>At start, in the background: the call a restarted daemon was in, joined again (<see cref="ConferenceLink.RejoinAsync"/>).</summary>
internal sealed class RejoinService(ConferenceLink link) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => link.RejoinAsync(stoppingToken);
}
