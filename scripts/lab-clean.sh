#!/usr/bin/env bash
# `make lab-clean`: removes network namespaces left by lab runs (tests or the
# demo) that were killed before they could clean up. Names are
# ptl<pid>x<...>; a namespace whose creating process still runs is kept.
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
    echo "lab-clean: needs root (network namespaces)" >&2
    exit 1
fi
removed=0
for ns in $(ip netns list | awk '{print $1}' | grep -E '^ptl[0-9]+x' || true); do
    pid="${ns#ptl}"
    pid="${pid%%x*}"
    if [ -d "/proc/$pid" ]; then
        echo "lab-clean: keeping $ns (process $pid still runs)"
        continue
    fi
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
    ip netns del "$ns"
    echo "lab-clean: removed $ns"
    removed=$((removed + 1))
done
echo "lab-clean: $removed namespace(s) removed"
