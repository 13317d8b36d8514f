#!/usr/bin/env bash
# Reads packaging/debian-packages, the one list of the Debian packages the project needs.
#   packaging/packages.sh list ROLE...      the package names for those roles (run, build, test)
#   packaging/packages.sh missing ROLE...   those of them not installed
#   packaging/packages.sh ensure ROLE...    installs the missing ones: as root with apt-get, otherwise through
#                                           sudo; where neither can, says the one command to run and fails
#   packaging/packages.sh depends           the .deb's Depends field (the run packages, with min= versions)
set -euo pipefail
list=$(dirname "$0")/debian-packages

# NAME ROLE FIELDS... for each package line, comments and blank lines dropped.
entries() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$list"; }

names() {
  local roles=" $* "
  entries | while read -r name role _; do
    [[ $roles == *" $role "* ]] && echo "$name"
  done
}

missing() {
  local name
  for name in $(names "$@"); do
    dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q "install ok installed" || echo "$name"
  done
}

ensure() {
  local wanted
  wanted=$(missing "$@" | tr '\n' ' ')
  wanted=${wanted% }
  [ -z "$wanted" ] && return 0
  local apt=(apt-get install -y -qq --no-install-recommends)
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null && { sudo -n true 2>/dev/null || [ -t 0 ]; }; then
      sudo=(sudo)
    else
      echo "s2cd: missing Debian packages; install them with: sudo apt-get install $wanted" >&2
      return 1
    fi
  fi
  echo "s2cd: installing the Debian packages the project needs: $wanted" >&2
  export DEBIAN_FRONTEND=noninteractive
  # A fresh machine has no package lists yet, and an old list may name versions the mirror no longer has.
  local log
  log=$(mktemp)
  "${sudo[@]}" apt-get update -qq >"$log" 2>&1 || true
  # shellcheck disable=SC2086
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive "${apt[@]}" $wanted >>"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "s2cd: apt-get could not install: $wanted; run: sudo apt-get install $wanted" >&2
    return 1
  fi
  rm -f "$log"
}

depends() {
  entries | while read -r name role rest; do
    [ "$role" = run ] || continue
    local min
    min=$(grep -oE 'min=[^ ]+' <<<"$rest" | cut -d= -f2 || true)
    if [ -n "$min" ]; then echo "$name (>= $min)"; else echo "$name"; fi
  done | paste -sd, - | sed 's/,/, /g'
}

case "${1:-}" in
  list) shift; names "$@" ;;
  missing) shift; missing "$@" ;;
  ensure) shift; ensure "$@" ;;
  depends) depends ;;
  *) echo "usage: packaging/packages.sh list|missing|ensure ROLE... | depends" >&2; exit 2 ;;
esac
