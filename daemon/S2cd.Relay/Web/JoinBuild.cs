using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace S2cd.Relay.Web;

/// <summary>
/// The relay's own build of s2cd and s2c-attach (NativeAOT, with the libraries beside them), packed once into one
/// tarball for the one-line join of a machine without s2cd. It is packed in the background when the web front starts,
/// from the directory of the relay's program (or Relay:DownloadsFrom), and cached in the state directory: a restart
/// with the same files reuses it, a changed file (an upgrade) packs it again, and only the newest is kept. Offered only when that directory holds a
/// NativeAOT build; otherwise <see cref="Problem"/> says why, and the web front shows only the installed command.
/// </summary>
internal sealed partial class JoinBuild
{
    /// <summary>The most files and bytes packed: the build is a handful of files of some 150 MB.</summary>
    public const int MaxFiles = 64;
    public const long MaxBytes = 1L << 30;

    private readonly string _from;
    private readonly string _cache;
    private readonly ILogger _logger;
    private readonly Lazy<Task<Offer?>> _packing;
    private volatile string? _problem;

    public JoinBuild(RelayOptions options, string stateDirectory, ILogger logger)
    {
        _from = options.DownloadsFrom ?? AppContext.BaseDirectory;
        _cache = Path.Combine(stateDirectory, "downloads");
        _logger = logger;
        _problem = options.Downloads ? Find(_from) : "Relay:Downloads is false";

        // Packed once, whoever asks first (the web front's start, or a request that comes before it has asked).
        _packing = new Lazy<Task<Offer?>>(() => Task.Run(PackOrReuse));
    }

    /// <summary>The version of the relay, which names the tarball and the folder the script unpacks it into.</summary>
    public static string Version { get; } = CheckedVersion(
        typeof(JoinBuild).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0");

    /// <summary>The tarball's name: s2cd-VERSION-linux-x64.tar.gz.</summary>
    public static string FileName { get; } = $"s2cd-{Version}-linux-x64.tar.gz";

    /// <summary>Why no build is offered (turned off, none to offer, packing failed), or null.</summary>
    public string? Problem => _problem;

    /// <summary>The packed build, once packed.</summary>
    public Offer? Current => _packing.IsValueCreated && _packing.Value.IsCompletedSuccessfully ? _packing.Value.Result : null;

    /// <summary>Whether a build is offered (packed or being packed).</summary>
    public bool Offered => Problem is null;

    /// <summary>Starts packing in the background, once; nothing when no build is offered.</summary>
    public void Start()
    {
        if (_problem is null)
        {
            _ = _packing.Value;
        }
    }

    /// <summary>The packed build, waiting for the packing; null when none is offered or packing failed (<see cref="Problem"/> says why).</summary>
    public Task<Offer?> ReadyAsync()
    {
        return _problem is null || _packing.IsValueCreated ? _packing.Value : Task.FromResult<Offer?>(null);
    }

    /// <summary>Why <paramref name="directory"/> holds no build to offer, or null when it does.</summary>
    internal static string? Find(string directory)
    {
        var why = $"{directory} holds no NativeAOT build of s2cd and s2c-attach (the .deb's /usr/lib/s2cd does; Relay:DownloadsFrom names another)";
        if (!IsElf(Path.Combine(directory, "s2cd")) || !IsElf(Path.Combine(directory, "s2c-attach")))
        {
            return why;
        }

        // A framework-dependent build has an ELF launcher too, but it needs the .NET runtime the machine may not have.
        return File.Exists(Path.Combine(directory, "s2cd.dll")) || File.Exists(Path.Combine(directory, "s2c-attach.dll")) ? why : null;
    }

    private static bool IsElf(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            Span<byte> magic = stackalloc byte[4];
            return file.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic.SequenceEqual("\u007fELF"u8);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static string CheckedVersion(string version) =>
        version.Length is > 0 and <= 64 && version.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '~' or '-') ? version : "0.0.0";

    private Offer? PackOrReuse()
    {
        try
        {
            var files = Sources();
            var stamp = Stamp(files);
            Directory.CreateDirectory(_cache);
            var path = Path.Combine(_cache, FileName);
            var stampPath = path + ".stamp";
            if (File.Exists(path) && File.Exists(stampPath) && File.ReadAllText(stampPath).Split(' ') is [var kept, var hash] && kept == stamp
                && Hash(path) == hash)
            {
                LogReused(path);
                return new Offer(path, new FileInfo(path).Length, hash);
            }

            var started = Environment.TickCount64;
            var partial = path + ".partial";
            using (var output = File.Create(partial))
            {
                using var gzip = new GZipStream(output, CompressionLevel.Optimal);
                using var tar = new TarWriter(gzip, TarEntryFormat.Ustar);
                var top = $"s2cd-{Version}/";
                tar.WriteEntry(new UstarTarEntry(TarEntryType.Directory, top) { Mode = (UnixFileMode)0b111_101_101 });
                foreach (var file in files)
                {
                    tar.WriteEntry(file.FullName, top + file.Name);
                }
            }

            var digest = Hash(partial);
            File.Move(partial, path, overwrite: true);
            File.WriteAllText(stampPath, $"{stamp} {digest}");
            RemoveOthers(path);
            var offer = new Offer(path, new FileInfo(path).Length, digest);
            LogPacked(path, offer.Length, Environment.TickCount64 - started);
            return offer;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            _problem = $"packing the build failed: {ex.Message}";
            LogPackFailed(_from, ex.Message);
            return null;
        }
    }

    /// <summary>Removes the tarballs of other versions (an upgrade's predecessor) and any left half-written: one build is kept.</summary>
    private void RemoveOthers(string kept)
    {
        foreach (var file in Directory.EnumerateFiles(_cache, "s2cd-*-linux-x64.tar.gz*"))
        {
            if (file != kept && file != kept + ".stamp")
            {
                File.Delete(file);
            }
        }
    }

    /// <summary>The regular files of the build's directory, bounded in number and size.</summary>
    private List<FileInfo> Sources()
    {
        var files = new DirectoryInfo(_from).EnumerateFiles()
            .Where(f => (f.Attributes & FileAttributes.ReparsePoint) == 0 && !f.Name.EndsWith(".dbg", StringComparison.Ordinal) && !f.Name.EndsWith(".pdb", StringComparison.Ordinal) && !f.Name.EndsWith(".xml", StringComparison.Ordinal))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .Take(MaxFiles + 1)
            .ToList();
        if (files.Count > MaxFiles || files.Sum(f => f.Length) > MaxBytes)
        {
            throw new InvalidOperationException($"{_from} holds more than {MaxFiles} files or {MaxBytes >> 20} MiB: not a build to offer");
        }

        return files;
    }

    /// <summary>What the files are (names, sizes, times): a cached tarball with the same stamp holds them.</summary>
    private static string Stamp(List<FileInfo> files)
    {
        var text = new StringBuilder(Version).Append('\n');
        foreach (var file in files)
        {
            text.Append(CultureInfo.InvariantCulture, $"{file.Name}\t{file.Length}\t{file.LastWriteTimeUtc.Ticks}\t{(int)file.UnixFileMode}\n");
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static string Hash(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }

    [LoggerMessage(EventId = RelayLogEvents.BuildPacked, Level = LogLevel.Information, Message = "Packed the build for the one-line join into {Path}: {Length} bytes in {Milliseconds} ms")]
    private partial void LogPacked(string path, long length, long milliseconds);

    [LoggerMessage(EventId = RelayLogEvents.BuildReused, Level = LogLevel.Information, Message = "The one-line join offers the build packed earlier, {Path}")]
    private partial void LogReused(string path);

    [LoggerMessage(EventId = RelayLogEvents.BuildPackFailed, Level = LogLevel.Error, Message = "Packing the build in {Directory} for the one-line join failed: {Reason}. The web front shows only the command for an installed s2c-attach")]
    private partial void LogPackFailed(string directory, string reason);

    /// <summary>The packed build: where it is, its size and SHA-256 (lower-case hex).</summary>
    internal sealed record Offer(string Path, long Length, string Sha256);
}
