#!/usr/bin/env bash
# Builds s2cd_<version>_amd64.deb: s2cd and s2c-attach compiled ahead of time (NativeAOT) under /usr/lib/s2cd,
# the systemd units, sysusers.d and tmpfiles.d, the default configuration as conffiles, man pages,
# copyright and changelog. Usage: packaging/build-deb.sh [OUTPUT_DIRECTORY]   (default: packaging/out)
# The version is Directory.Build.props's <Version>, or S2CD_VERSION when set (a release, or the upgrade test).
set -euo pipefail
cd "$(dirname "$0")/.."
here=packaging
out=$(realpath -m "${1:-$here/out}")
version=${S2CD_VERSION:-$(sed -nE 's:.*<Version>([^<]+)</Version>.*:\1:p' Directory.Build.props)}
if ! [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+([.~+][0-9A-Za-z.~+]*)?$ ]]; then
  echo "build-deb: '$version' is not a version (like 0.1.2)" >&2
  exit 2
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/s2cd-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
lib=$root/usr/lib/s2cd

# s2cd and s2c-attach compiled ahead of time (NativeAOT), each to one native file: no JIT, no runtime to carry,
# a daemon that starts at once and stays small. clang and zlib1g-dev build them. OpenCV's wrapper lies beside s2cd.
echo "build-deb: publishing s2cd and s2c-attach $version (NativeAOT, linux-x64)"
for project in daemon/S2cd/S2cd.csproj attach/S2cAttach.csproj; do
  dotnet publish "$project" -c Release -r linux-x64 -p:PublishAot=true -o "$lib" --nologo -v quiet -clp:ErrorsOnly \
    -p:DebugType=none -p:GenerateDocumentationFile=false -p:Version="$version"
done

# LTTng tracing support needs liblttng-ust, which the daemon does not use; the runtime runs without it.
rm -f "$lib"/*.dbg "$lib"/*.pdb "$lib"/*.xml
find "$lib" -type f -exec chmod 0644 {} +
chmod 0755 "$lib/s2cd" "$lib/s2c-attach"
find "$lib" -type f \( -name '*.so' -o -name s2cd -o -name s2c-attach \) \
  -exec strip --strip-unneeded --remove-section=.comment --remove-section=.note {} +

install -d "$root/usr/sbin" "$root/usr/bin"
ln -s ../lib/s2cd/s2cd "$root/usr/sbin/s2cd"
ln -s ../lib/s2cd/s2c-attach "$root/usr/bin/s2c-attach"

install -D -m 0644 systemd/s2cd.service "$root/lib/systemd/system/s2cd.service"
install -D -m 0644 systemd/s2c-relay.service "$root/lib/systemd/system/s2c-relay.service"
install -D -m 0644 systemd/s2cd.sysusers "$root/usr/lib/sysusers.d/s2cd.conf"
install -D -m 0644 systemd/s2cd.tmpfiles "$root/usr/lib/tmpfiles.d/s2cd.conf"
install -D -m 0644 "$here/s2cd.json" "$root/etc/s2cd/s2cd.json"
install -D -m 0644 "$here/s2c-relay.json" "$root/etc/s2cd/s2c-relay.json"

doc=$root/usr/share/doc/s2cd
install -D -m 0644 "$here/copyright" "$doc/copyright"
install -D -m 0644 README.md "$doc/README.md"
for page in packaging/doc/*.md; do
    install -D -m 0644 "$page" "$doc/$(basename "$page")"
done
install -D -m 0644 "$here/nats-cluster.conf" "$doc/examples/nats-cluster.conf"
# A native package (upstream builds it): its changelog is changelog.gz.
gzip -9n -c "$here/changelog" > "$doc/changelog.gz"
chmod 0644 "$doc/changelog.gz"
install -D -m 0644 "$here/lintian-overrides" "$root/usr/share/lintian/overrides/s2cd"
install -d "$root/usr/share/man/man8" "$root/usr/share/man/man1"
gzip -9n -c "$here/s2cd.8" > "$root/usr/share/man/man8/s2cd.8.gz"
gzip -9n -c "$here/s2c-attach.1" > "$root/usr/share/man/man1/s2c-attach.1.gz"
chmod 0644 "$root"/usr/share/man/man*/*.gz

install -d "$root/DEBIAN"
install -m 0755 "$here/postinst" "$here/prerm" "$here/postrm" "$root/DEBIAN/"
printf '/etc/s2cd/s2cd.json\n/etc/s2cd/s2c-relay.json\n' > "$root/DEBIAN/conffiles"

# What the binaries load, from the one list of the project's Debian packages (packaging/debian-packages).
depends=$("$here/packages.sh" depends)
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@INSTALLED_SIZE@/$size/" -e "s/@DEPENDS@/$depends/" "$here/control.in" > "$root/DEBIAN/control"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum > DEBIAN/md5sums)
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums"

mkdir -p "$out"
deb="$out/s2cd_${version}_amd64.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "build-deb: $deb ($(du -h "$deb" | cut -f1))"
