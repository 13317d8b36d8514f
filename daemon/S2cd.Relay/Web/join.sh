#!/bin/sh
# Joins session @SESSION@ on the s2c relay @RELAY@, from @PAGE_URL@.
#
# Read it before you run it; it does this, as you, with nothing outside your home:
#  1. An installed s2c-attach whose daemon answers: it joins with that.
#  2. Otherwise it downloads this relay's build of s2cd and s2c-attach (one tarball), checks its SHA-256 against
#     the one written below before unpacking it, and keeps it in ~/.local/share/s2cd/VERSION; it starts a daemon of
#     your own (socket under $XDG_RUNTIME_DIR, state in ~/.local/state/s2cd) and stops it again when you leave.
#  3. It joins with the relay's certificate pinned to the fingerprint below, and opens the call (q leaves it);
#     without a terminal it joins and prints who is in the call.
# No root, no sudo, no package manager.
set -eu
daemon=
build=
socket=

session='@SESSION@'
relay='@RELAY@'
fingerprint='@FINGERPRINT@'
passphrase='@PASSPHRASE@'
version='@VERSION@'
bundle_url='@BUNDLE_URL@'
bundle_sha256='@BUNDLE_SHA256@'
no_bundle='@NO_BUNDLE@'

say() { printf 's2c: %s\n' "$*" >&2; }

# Says why, stops the daemon this script started (if any), and ends.
fail() { say "$*"; stop_daemon; exit 1; }

sha256_of() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d ' ' -f 1
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$1" | cut -d ' ' -f 1
    else
        openssl dgst -sha256 -r "$1" | cut -d ' ' -f 1
    fi
}

pause() { sleep 0.2 2>/dev/null || sleep 1; }

# s2c-attach: the installed one, or the build's with the user's own daemon.
s2c() {
    if [ -n "$build" ]; then
        "$build/s2c-attach" --socket "$socket" "$@"
    else
        s2c-attach "$@"
    fi
}

# The build in the home: downloaded, checked and unpacked once per version.
fetch_build() {
    [ -n "$bundle_url" ] || fail "no s2c-attach here, and this relay offers no build: $no_bundle. Install the s2cd package, or ask whoever runs the relay."
    case "$(uname -s) $(uname -m)" in
        "Linux x86_64") ;;
        *) fail "this relay's build is for Linux on x86_64; this machine is $(uname -s) on $(uname -m)" ;;
    esac
    data=${XDG_DATA_HOME:-$HOME/.local/share}/s2cd
    build=$data/$version
    if [ -x "$build/s2c-attach" ] && [ "$(cat "$build/.sha256" 2>/dev/null)" = "$bundle_sha256" ]; then
        return 0
    fi
    mkdir -p "$data"
    download=$(mktemp -d "$data/.download.XXXXXX")
    trap 'rm -rf "$download"' EXIT
    say "downloading s2cd $version from the relay"
    curl -fsSL --max-filesize 1073741824 -o "$download/build.tar.gz" "$bundle_url" </dev/null \
        || fail "the download of $bundle_url failed (see above); nothing was unpacked"
    got=$(sha256_of "$download/build.tar.gz")
    if [ "$got" != "$bundle_sha256" ]; then
        rm -rf "$download"
        fail "the download's SHA-256 is $got, not $bundle_sha256 as this script says: refused, nothing was unpacked"
    fi
    mkdir "$download/unpacked"
    tar -xzf "$download/build.tar.gz" -C "$download/unpacked" </dev/null || fail "unpacking the build failed"
    [ -x "$download/unpacked/s2cd-$version/s2c-attach" ] || fail "the build holds no s2c-attach"
    printf '%s\n' "$bundle_sha256" > "$download/unpacked/s2cd-$version/.sha256"
    rm -rf "$build"
    mv "$download/unpacked/s2cd-$version" "$build"
    rm -rf "$download"
    trap - EXIT
}

# A daemon of the user's own, unless one already answers on its socket.
start_daemon() {
    runtime=${XDG_RUNTIME_DIR:-}
    if [ -z "$runtime" ] || [ ! -d "$runtime" ] || [ ! -w "$runtime" ]; then
        runtime=${TMPDIR:-/tmp}/s2cd-runtime-$(id -u)
        (umask 077 && mkdir -p "$runtime")
        [ -O "$runtime" ] || fail "$runtime belongs to someone else; set XDG_RUNTIME_DIR to a directory of your own"
    fi
    socket=$runtime/s2cd/s2cd.sock
    state=${XDG_STATE_HOME:-$HOME/.local/state}/s2cd
    if s2c status >/dev/null 2>&1 </dev/null; then
        return 0
    fi
    (umask 077 && mkdir -p "$state")
    [ -f "$state/s2cd.json" ] || printf '{}\n' > "$state/s2cd.json"
    "$build/s2cd" --config "$state/s2cd.json" --socket "$socket" --state-dir "$state" --Relay:Embedded false \
        </dev/null >>"$state/s2cd.log" 2>&1 &
    daemon=$!
    tries=0
    until s2c status >/dev/null 2>&1 </dev/null; do
        kill -0 "$daemon" 2>/dev/null || fail "the daemon stopped at start; its log: $state/s2cd.log"
        tries=$((tries + 1))
        [ "$tries" -lt 100 ] || fail "the daemon did not answer within 20 s; its log: $state/s2cd.log"
        pause
    done
}

stop_daemon() {
    if [ -n "${daemon:-}" ]; then
        kill "$daemon" 2>/dev/null || true
        wait "$daemon" 2>/dev/null || true
        daemon=
    fi
}

# What the daemon could not load, in one line (the call goes on with what works), once it has tried its devices
# (at most 5 s).
say_missing() {
    tries=0
    while [ "$tries" -lt 25 ] && s2c status </dev/null 2>/dev/null | grep -Eq '^(Microphone on \(off\)|Speaker +off$|Camera +on \(off\))'; do
        tries=$((tries + 1))
        pause
    done
    packages=$(s2c status </dev/null 2>/dev/null | sed -n 's/.*sudo apt install \([a-z0-9][a-z0-9.+-]*\).*/\1/p' | sort -u | tr '\n' ' ')
    if [ -n "$packages" ]; then
        say "for the camera or sound, install: sudo apt install ${packages% } (the call goes on without them)"
    fi
}

main() {
    terminal=
    if [ -t 1 ] && (: </dev/tty) 2>/dev/null; then
        terminal=/dev/tty
    fi
    if [ "$passphrase" = 1 ] && [ -z "$terminal" ]; then
        fail "session $session has a passphrase: run this line in a terminal, which asks for it"
    fi
    if ! { command -v s2c-attach >/dev/null 2>&1 && s2c-attach status >/dev/null 2>&1 </dev/null; }; then
        fetch_build
        start_daemon
    fi
    trap 'stop_daemon; exit 130' INT TERM HUP

    set -- join "$session" --relay "$relay"
    [ -z "$fingerprint" ] || set -- "$@" --relay-fingerprint "$fingerprint"
    [ "$passphrase" = 0 ] || set -- "$@" --passphrase

    if [ -n "$terminal" ]; then
        s2c "$@" --detach <"$terminal" >/dev/null || { stop_daemon; exit 1; }
        say_missing
        # The call, until q; then leave it.
        s2c <"$terminal" || true
        s2c leave </dev/null >/dev/null 2>&1 || true
        stop_daemon
        say "left $session."
    else
        s2c "$@" --detach </dev/null || { stop_daemon; exit 1; }
        say_missing
        pause
        s2c who </dev/null || true
        if [ -n "$daemon" ]; then
            say "in the call without a terminal; leave it with: '$build/s2c-attach' --socket '$socket' leave; stop the daemon with: kill $daemon"
        fi
    fi
    if [ -n "$build" ]; then
        say "to remove what this put in your home: rm -rf '${XDG_DATA_HOME:-$HOME/.local/share}/s2cd' '${XDG_STATE_HOME:-$HOME/.local/state}/s2cd'"
    fi
}

main
