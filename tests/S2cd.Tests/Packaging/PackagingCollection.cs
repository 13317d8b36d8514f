namespace S2cd.Tests.Packaging;

/// <summary>
/// The package tests build the .deb (a full self-contained publish) and install it on this machine, so they
/// run on their own: nothing else runs while the system user, the units and /etc/s2cd exist. The .deb is built once
/// for the whole collection.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PackagingCollection : ICollectionFixture<PackageTests.BuiltPackage>
{
    public const string Name = "Debian package";
}
