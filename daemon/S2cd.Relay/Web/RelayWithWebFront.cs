namespace S2cd.Relay.Web;

/// <summary>A relay's figures with its web front's: where the front serves, or why it does not.</summary>
internal sealed class RelayWithWebFront(IRelayFigures relay, RelayWebFront? web) : IRelayFigures
{
    public RelayFigures? Figures()
    {
        var figures = relay.Figures();
        return figures is not null && web is not null ? figures with
        {
            Web = web.Address,
            WebProblem = web.Problem,
            JoinBuild = web.Build.Current is { } offer ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{JoinBuild.FileName}, {offer.Length / 1e6:0.0} MB, SHA-256 {offer.Sha256}") : null,
            JoinBuildMissing = web.Build.Problem,
        } : figures;
    }
}
