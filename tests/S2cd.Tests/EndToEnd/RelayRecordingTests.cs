using S2cd.Contract;
using OpenCvSharp;
using S2cd.Audio;
using S2cd.Tests.Support;
using S2cd.Video;
using S2cd.Wire;

namespace S2cd.Tests.EndToEnd;

/// <summary>
/// Records every byte that crosses the relay while one daemon sends a known picture (a generated video of
/// stripes) and a known tone (440 Hz through alsa-lib's file plugin), and looks for them in the recording.
/// With end-to-end encryption off the same search finds both, so the search itself is shown to work.
/// </summary>
[Collection(RealtimeCollection.Name)]
public sealed class RelayRecordingTests
{
    private static readonly byte[] JfifMarker = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F'];

    [Theory(Timeout = 120_000)]
    [InlineData(true)]
    [InlineData(false)]
    public async Task BytesCrossingTheRelay_HoldNoPlaintextOfAKnownPictureOrTone_UnlessEncryptionIsOff(bool endToEnd)
    {
        using var root = new TempDirectory();
        var stripes = TestVideo.Stripes(Path.Combine(root.Path, "stripes.avi"));
        await using var call = await SecureCall.StartAsync(root);
        using var rig = new AudioRig(root.Sub("alice"));
        var e2e = endToEnd ? "true" : "false";
        await call.JoinAsync("alice", null, ["--camera", stripes, "--Conference:EndToEnd", e2e, .. AudioCall.Member.ToneArguments]);
        await call.JoinAsync("bob", null, "--Audio:Enabled", "false", "--Conference:EndToEnd", e2e);
        rig.FeedTone(440, 0.3);
        await call.WithLogsAsync(async () =>
        {
            await call.SeesVideoAsync("bob", "alice");
            await Eventually.TrueAsync(
                async () => (await call.MemberAsync("bob", "alice")).AudioLevel is not null,
                TimeSpan.FromSeconds(20),
                "bob hears alice");
            call.Middle.Recorded.Clear();
            await Task.Delay(3000);
            var frames = call.Middle.Recorded.ToArray();
            Assert.True(frames.Length > 100, $"{frames.Length} frames recorded");

            var all = frames.SelectMany(f => f).ToArray();
            var markers = Count(all, JfifMarker);
            var pictures = 0;
            var tone = new List<short>();
            using var decoder = new OpusDecoder(48000);
            var pcm = new short[5760];
            foreach (var frame in frames.Where(f => InterceptingRelay.TypeOf(f) == FrameType.MediaForward))
            {
                var payload = frame.AsSpan(10);
                if (frame[9] == (byte)MediaKind.Video && payload.Length > VideoFrameHeader.Size)
                {
                    using var picture = Cv2.ImDecode(payload[VideoFrameHeader.Size..].ToArray(), ImreadModes.Grayscale);
                    pictures += IsStripes(picture) ? 1 : 0;
                }
                else if (frame[9] == (byte)MediaKind.Audio && payload.Length > AudioPacketHeader.Size)
                {
                    var samples = decoder.Decode(payload[AudioPacketHeader.Size..], pcm);
                    tone.AddRange(samples > 0 ? pcm.AsSpan(0, samples).ToArray() : []);
                }
            }

            // A tone stands out against every other frequency; noise decoded from ciphertext may by chance favour one pair.
            var heard = tone.ToArray();
            var hasTone = heard.Length > 48000 && new[] { 300.0, 700, 1000, 1500 }.All(f => Signal.Power(heard, 440, 48000) > 100 * Signal.Power(heard, f, 48000));
            if (endToEnd)
            {
                Assert.Equal(0, markers);
                Assert.Equal(0, pictures);
                Assert.False(hasTone, "the tone can be heard in what crossed the relay");
                Assert.Equal(EndToEndState.On, (await call.Client("bob").StatusAsync()).EndToEnd?.State);
            }
            else
            {
                Assert.True(markers > 10, $"{markers} JPEG markers in plain traffic");
                Assert.True(pictures > 10, $"{pictures} stripe pictures decoded from plain traffic");
                Assert.True(hasTone, "the tone is found in plain traffic");
                Assert.Equal(EndToEndState.Off, (await call.Client("bob").StatusAsync()).EndToEnd?.State);
            }
        });
    }

    private static bool IsStripes(Mat picture)
    {
        var width = picture.Width;
        if (picture.Empty() || width < 16)
        {
            return false;
        }

        // Eight vertical stripes: the middle row alternates bright and dark every eighth of the width.
        var row = picture.Height / 2;
        var changes = 0;
        var bright = picture.At<byte>(row, 0) > 128;
        for (var x = 1; x < width; x++)
        {
            var now = picture.At<byte>(row, x) > 128;
            changes += now != bright ? 1 : 0;
            bright = now;
        }

        return changes == 7;
    }

    private static int Count(byte[] haystack, byte[] needle)
    {
        var count = 0;
        var span = haystack.AsSpan();
        for (var at = span.IndexOf(needle); at >= 0; at = span.IndexOf(needle))
        {
            count++;
            span = span[(at + needle.Length)..];
        }

        return count;
    }
}
