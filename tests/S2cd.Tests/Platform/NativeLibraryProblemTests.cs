using S2cd.Platform;
using S2cd.Tests.Support;

namespace S2cd.Tests.Platform;

public sealed class NativeLibraryProblemTests
{
    // What .NET 10 says when OpenCvSharpExtern links a libgtk-3.so.0 that is not installed (seen on a fresh machine).
    private const string OpenCvWithoutGtk =
        "Unable to load shared library 'OpenCvSharpExtern' or one of its dependencies. In order to help diagnose loading problems, " +
        "consider using a tool like strace. If you're using glibc, consider setting the LD_DEBUG environment variable: " +
        "/opt/s2cd/runtimes/linux-x64/native/OpenCvSharpExtern.so: cannot open shared object file: No such file or directory " +
        "/usr/share/dotnet/shared/Microsoft.NETCore.App/10.0.12/OpenCvSharpExtern.so: cannot open shared object file: No such file or directory " +
        "libgtk-3.so.0: cannot open shared object file: No such file or directory " +
        "/opt/s2cd/runtimes/linux-x64/native/libOpenCvSharpExtern.so: cannot open shared object file: No such file or directory";

    [Fact]
    public void Describe_OpenCvWithoutGtk_NamesTheLibraryAndThePackage()
    {
        var ex = new TypeInitializationException("OpenCvSharp.Internal.NativeMethods", new DllNotFoundException(OpenCvWithoutGtk));
        Assert.Equal("OpenCV needs libgtk-3.so.0 \u2014 sudo apt install libgtk-3-0", NativeLibraryProblem.Describe(ex, "OpenCV"));
    }

    [Fact]
    public void Describe_ALibraryHiddenByAnEmptyFile_NamesItsPackage()
    {
        var ex = new DllNotFoundException("Unable to load shared library 'libopus.so.0' or one of its dependencies. ... /lib/x86_64-linux-gnu/libopus.so.0: file too short /usr/share/dotnet/libopus.so.0.so: cannot open shared object file: No such file or directory");
        Assert.Equal("Opus needs libopus.so.0 \u2014 sudo apt install libopus0", NativeLibraryProblem.Describe(ex, "Opus"));
    }

    [Fact]
    public void Describe_AnUnknownLibrary_SaysWhichAndWhyInOneShortLine()
    {
        var ex = new DllNotFoundException("Unable to load shared library 'x'. libfoo.so.7: cannot open shared object file: No such file or directory");
        Assert.Equal("OpenCV cannot load libfoo.so.7: cannot open shared object file", NativeLibraryProblem.Describe(ex, "OpenCV"));

        var long_ = new InvalidOperationException(new string('x', 5000) + "\nsecond line");
        var line = NativeLibraryProblem.Describe(long_, "OpenCV");
        Assert.StartsWith("OpenCV failed: xxx", line, StringComparison.Ordinal);
        Assert.True(line.Length < 200, line);
        Assert.DoesNotContain('\n', line);
    }

    [Fact]
    public void DebianPackages_EveryRunPackageWithASharedObject_IsKnownToTheDaemon()
    {
        // The daemon reads the same file (embedded); a shared object listed there must map to its package.
        var file = Path.Combine(Packaging.Run.RepositoryRoot(), "packaging", "debian-packages");
        using var reader = new StringReader(File.ReadAllText(file));
        var map = DebianPackages.Parse(reader);
        Assert.Equal("libgtk-3-0", map["libgtk-3.so.0"]);
        Assert.Equal("libasound2", map["libasound.so.2"]);
        foreach (var (sharedObject, package) in map)
        {
            Assert.Equal(package, DebianPackages.Providing(sharedObject));
        }
    }

    [Fact]
    public void NativeDependency_ThatFailsToLoad_SaysWhy_AndIsTriedAgainLater()
    {
        var attempts = 0;
        var time = new ManualTimeProvider();
        var dependency = new NativeDependency("Test", () =>
        {
            attempts++;
            return attempts < 3 ? throw new DllNotFoundException("libopus.so.0: cannot open shared object file: No such file or directory") : 1;
        }, time);
        Assert.False(dependency.TryEnsureLoaded(out var problem));
        Assert.Equal("Test needs libopus.so.0 \u2014 sudo apt install libopus0", problem);
        Assert.False(dependency.TryEnsureLoaded(out _));
        Assert.Equal(1, attempts);

        // A second later it is tried again (the package may have been installed meanwhile).
        time.Advance(TimeSpan.FromSeconds(1.1));
        Assert.False(dependency.TryEnsureLoaded(out _));
        time.Advance(TimeSpan.FromSeconds(1.1));
        Assert.True(dependency.TryEnsureLoaded(out problem));
        Assert.Null(problem);
        Assert.Equal(3, attempts);
    }
}
