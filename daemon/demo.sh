#!/usr/bin/env bash
# A local demo call on one machine, no camera or sound card needed: builds s2cd and s2c-attach, starts a
# guest daemon in the background, runs your daemon (with its embedded relay) in the foreground, and
# joins both to session "demo" through s2c-attach. Ctrl-C ends it.
set -euo pipefail
cd "$(dirname "$0")/.."

dotnet build s2cd.sln -c Release --nologo -v quiet -clp:ErrorsOnly
bin_daemon=daemon/S2cd/bin/Release/net10.0/s2cd.dll
bin_attach=attach/bin/Release/net10.0/s2c-attach.dll
dir=$(mktemp -d "${TMPDIR:-/tmp}/s2cd-demo.XXXXXX")
port=${S2CD_DEMO_PORT:-1122}
you=$dir/you.sock
guest=$dir/guest.sock

cleanup() {
  kill "${guest_pid:-}" "${joiner_pid:-}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM

attach() { dotnet "$bin_attach" --socket "$1" "${@:2}"; }

wait_for() {
  for _ in $(seq 1 200); do
    attach "$1" status >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "demo: daemon at $1 did not start" >&2
  return 1
}

# The guest uses your daemon's embedded relay; its log goes to a file.
dotnet "$bin_daemon" --socket "$guest" --state-dir "$dir/guest" --name guest --relay "127.0.0.1:$port" \
  --Relay:Embedded false --Control:Group "" >"$dir/guest.log" 2>&1 &
guest_pid=$!

(
  wait_for "$you" && wait_for "$guest"
  attach "$you" join demo
  attach "$guest" join demo
  attach "$guest" mute
  sleep 0.3
  echo
  echo "=== s2c-attach who (from another terminal: S2CD_SOCKET=$you dotnet $bin_attach who)"
  attach "$you" who
  echo "=== s2c-attach status"
  attach "$you" status
  echo "=== Ctrl-C ends the demo"
) &
joiner_pid=$!

echo "demo: your daemon runs in the foreground; its control socket is $you"
dotnet "$bin_daemon" --socket "$you" --state-dir "$dir/you" --name you --listen "127.0.0.1:$port" \
  --relay "127.0.0.1:$port" --Control:Group ""
