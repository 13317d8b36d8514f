#!/usr/bin/env bash
# A local demo call on one machine, no camera or sound card needed: builds s2cd and s2c-attach, runs your
# daemon (test-pattern camera, embedded relay) and a guest daemon (a second test pattern) as foreground
# children of this script, joins both to session "demo", and opens the call view in this terminal.
# Keys in the view: m mute, v camera, q quit. Without a terminal it prints who and status instead.
set -euo pipefail
cd "$(dirname "$0")/.."

# The Debian packages the daemon loads (packaging/debian-packages): installed now if missing, or one line
# saying what to install.
packaging/packages.sh ensure run
dotnet build s2cd.sln -c Release --nologo -v quiet -clp:ErrorsOnly
bin_daemon=daemon/S2cd/bin/Release/net10.0/s2cd.dll
bin_attach=attach/bin/Release/net10.0/s2c-attach.dll
dir=$(mktemp -d "${TMPDIR:-/tmp}/s2cd-demo.XXXXXX")
port=${S2CD_DEMO_PORT:-1122}
you=$dir/you.sock
guest=$dir/guest.sock

cleanup() {
  kill "${you_pid:-}" "${guest_pid:-}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM
# The demo's own settings (the defaults), whatever an installed /etc/s2cd/s2cd.json says.
echo '{}' > "$dir/demo.json"

attach() { dotnet "$bin_attach" --socket "$1" "${@:2}"; }

# Without a sound card ALSA's null device stands in (silence in, nothing out), so the call has no audio problem.
audio=()
if ! grep -qE '^ *[0-9]+ ' /proc/asound/cards 2>/dev/null; then
  audio=(--Audio:CaptureDevice null --Audio:PlaybackDevice null)
fi

wait_for() {
  for _ in $(seq 1 200); do
    attach "$1" status >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "demo: the daemon at $1 did not start; its log:" >&2
  cat "$2" >&2
  return 1
}

dotnet "$bin_daemon" --config "$dir/demo.json" --socket "$you" --state-dir "$dir/you" --name "${USER:-me}" --listen "127.0.0.1:$port" \
  --relay "127.0.0.1:$port" --Control:Group "" "${audio[@]}" >"$dir/you.log" 2>&1 &
you_pid=$!
wait_for "$you" "$dir/you.log"
dotnet "$bin_daemon" --config "$dir/demo.json" --socket "$guest" --state-dir "$dir/guest" --name guest --relay "127.0.0.1:$port" \
  --Relay:Embedded false --Control:Group "" "${audio[@]}" >"$dir/guest.log" 2>&1 &
guest_pid=$!
wait_for "$guest" "$dir/guest.log"

attach "$guest" join demo --detach
attach "$guest" mute
if [ -t 0 ] && [ -t 1 ]; then
  attach "$you" join demo
else
  attach "$you" join demo --detach
  sleep 1
  attach "$you" who
  attach "$you" status
fi
echo "demo: your daemon's log was $dir/you.log (removed now):"
tail -n 5 "$dir/you.log"
