using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using S2cd.Security;
using S2cd.Wire;

using S2cd.Benchmarks.Harness;

namespace S2cd.Benchmarks;

/// <summary>
/// What end-to-end encryption costs per frame (seal on the sender, open with the replay check on the
/// receiver) for a typical wire picture and an Opus packet, with allocated bytes per frame, and what one
/// rekey costs: a CMS bundle for three other members, and opening it on one of them.
/// </summary>
internal static class CryptoBench
{
    private const string Table = "End-to-end encryption, timed on this process";

    public static Task<int> RunAsync(string[] args) => BenchRun.RunAsync("crypto", args, (figures, _) =>
    {
        Measure(figures);
        return Task.CompletedTask;
    });

    private static void Measure(Figures figures)
    {
        var inv = CultureInfo.InvariantCulture;
        var secret = RandomNumberGenerator.GetBytes(MediaKey.SecretBytes);
        using var sender = new MediaKey(1, secret);
        using var receiver = new MediaKey(1, secret);
        foreach (var (what, size, fps) in new[] { ("a video frame (160×120 JPEG)", 6000, 15), ("an audio packet (Opus 20 ms)", 75, 50) })
        {
            var plaintext = RandomNumberGenerator.GetBytes(size);
            var sealedFrame = new byte[size + MediaKey.Overhead];
            var opened = new byte[size];
            var window = new ReplayWindow();
            ulong counter = 0;
            void Once()
            {
                sender.Seal(counter, 7, MediaKind.Video, plaintext, sealedFrame);
                MediaKey.TryReadHeader(sealedFrame, out _, out var read);
                if (!window.IsFresh(read) || !receiver.TryOpen(sealedFrame, read, 7, MediaKind.Video, opened))
                {
                    throw new InvalidOperationException("did not open");
                }

                window.Record(read);
                counter++;
            }

            for (var i = 0; i < 2000; i++)
            {
                Once();
            }

            const int n = 50_000;
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < n; i++)
            {
                Once();
            }

            var perFrame = clock.Elapsed.TotalMicroseconds / n;
            var bytes = (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)n;
            Console.WriteLine(string.Create(inv, $"{what,-28} {size,5} B: seal + open {perFrame,6:0.00} us/frame, {bytes:0} B allocated/frame; at {fps}/s from 3 others: {perFrame * fps * 3 / 10_000:0.000}% of one core"));
            var row = $"seal + open (replay check included) of {what}, {size} B, {fps}/s from each of 3 others";
            figures.Add(Table, row, "time", perFrame, "0.00", "µs");
            figures.Add(Table, row, "allocated", bytes, "0", "B");
            figures.Add(Table, row, "share of one core", perFrame * fps * 3 / 10_000, "0.000", "%");
        }

        using var alice = DaemonIdentity.CreateEphemeral();
        var others = Enumerable.Range(0, 3).Select(_ => DaemonIdentity.CreateEphemeral()).ToArray();
        var recipients = others.Select((o, i) => new KeyBundle.Recipient((uint)(i + 2), o.Certificate)).ToArray();
        var make = Stopwatch.StartNew();
        byte[] bundle = [];
        for (var i = 0; i < 20; i++)
        {
            bundle = KeyBundle.Create(alice, "bench", 1, (uint)(i + 1), secret, recipients);
        }

        var makeMs = make.Elapsed.TotalMilliseconds / 20;
        var open = Stopwatch.StartNew();
        for (var i = 0; i < 20; i++)
        {
            if (KeyBundle.Open(bundle, "bench", 1, alice.Certificate, 0, others[0], 2, out _, out _, out var problem) != KeyBundle.Outcome.Accepted)
            {
                throw new InvalidOperationException(problem);
            }
        }

        var openMs = open.Elapsed.TotalMilliseconds / 20;
        Console.WriteLine(string.Create(inv, $"rekey (RSA-3072): make a bundle for 3 members {makeMs:0.0} ms ({bundle.Length} B), open it {openMs:0.0} ms"));
        figures.Add(Table, $"a rekey: make the CMS bundle for 3 members (RSA-3072, {bundle.Length} B)", "time", makeMs, "0.0", "ms");
        figures.Add(Table, "open a bundle (RSA-OAEP unwrap, signature check)", "time", openMs, "0.0", "ms");
        foreach (var other in others)
        {
            other.Dispose();
        }
    }
}
