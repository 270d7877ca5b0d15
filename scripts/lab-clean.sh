#!/usr/bin/env bash
# `make lab-clean`: removes network namespaces left by lab runs (tests, the
# demo, `meshlab`) that were killed before they could clean up, with the
# processes inside them, and their directories in the temp dir. Names are
# ptl<pid>x<...>; while process <pid> still runs (a test, or the keeper of a
# `meshlab up` lab) its lab is kept. `meshlab clean` does the same for namespaces.
# Then EC2 emulators (moto) whose test was killed: orphans, adopted by init, and the
# root-namespace socat of a port forward (its socket is in a ptl<pid>x-forward-* directory).
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
    echo "lab-clean: needs root (network namespaces)" >&2
    exit 1
fi

# A zombie (dead, waiting to be reaped) counts as gone.
alive() {
    [ -r "/proc/$1/stat" ] && ! sed 's/.*) //' "/proc/$1/stat" | grep -q '^[ZX] '
}

creator() {
    local rest="${1#ptl}"
    echo "${rest%%x*}"
}

removed=0
for ns in $(ip netns list | awk '{print $1}' | grep -E '^ptl[0-9]+x' || true); do
    pid="$(creator "$ns")"
    if alive "$pid"; then
        echo "lab-clean: keeping $ns (process $pid still runs)"
        continue
    fi
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
    ip netns del "$ns"
    echo "lab-clean: removed $ns"
    removed=$((removed + 1))
done
tmp="${TMPDIR:-/tmp}"
for dir in $(find "$tmp" -maxdepth 1 -type d -regextype posix-extended -regex "$tmp/ptl[0-9]+x[^/]*" || true); do
    pid="$(creator "$(basename "$dir")")"
    if ! alive "$pid"; then
        rm -rf "$dir"
        echo "lab-clean: removed $dir"
    fi
done
echo "lab-clean: $removed namespace(s) removed"
for pid in $(pgrep -f 'socat .*/ptl[0-9]+x-forward-' || true); do
    dir="$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -oE 'ptl[0-9]+x-forward-' | head -n 1)"
    if [ -n "$dir" ] && ! alive "$(creator "$dir")"; then
        kill -KILL "$pid" 2>/dev/null || true
        echo "lab-clean: stopped the port forward of a dead run (pid $pid)"
    fi
done
# Tests start moto in its own process group; a killed test leaves it running.
for pid in $(pgrep -f 'moto_any_port\.py|moto_server' || true); do
    if [ "$(ps -o ppid= -p "$pid" 2>/dev/null | tr -d ' ')" = 1 ]; then
        kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
        echo "lab-clean: stopped orphaned EC2 emulator (pid $pid)"
    fi
done
