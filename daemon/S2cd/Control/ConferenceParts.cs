using S2cd.Conference;
using S2cd.Video;

namespace S2cd.Control;

/// <summary>
/// What a participant daemon's control clients reach besides the relay: the conference core and the pictures the
/// views draw. A relay-role daemon has none of it: it constructs no core, picture store or mixer.
/// </summary>
internal sealed record ConferenceParts(ConferenceLink Conference, PictureStore Pictures);
