#!/bin/bash
# User-space instructions per request of an echo server, counted by valgrind's
# callgrind: unlike CPU time on a shared VM, the count repeats to within a few
# per cent, so it shows what a change to the hot path is worth.
#
#   bench/callgrind-echo.sh MODE SIZE [SECONDS]
#     MODE: protocol | buffered | streams (tsyncio), or uvloop-protocol | uvloop-streams
#     SIZE: message bytes (1024, 10240, 102400)
#   KEEP=DIR also copies the callgrind profile there.
#   SELF=1 counts a tsyncio server that drives itself instead (the server file's
#   SELF_SIZE argument: 10 client connections on the same loop), per round
#   trip; the count is then server and client together, so it is for A/B of a
#   change, not a server figure, but it repeats closely even when the load
#   generator's count swings by hundreds on a shared machine. The warm-up is
#   then WARMREQ round trips (default 30000) instead of WARM seconds.
#
# The tsyncio server runs compiled (dist/, built by npm install; the bench's
# server file is bundled next to it with esbuild) so that the count is the
# loop's, not the TypeScript loader's. The server is warmed up first
# (WARM seconds of load, default 20: under valgrind the JIT needs time), then
# counting is switched on for SECONDS (default 10) of load from the C load
# generator, pinned as in the echo benchmark.
set -euo pipefail
mode=${1:?mode}; size=${2:?size}; secs=${3:-10}; warm=${WARM:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 1; }
[ -x bench/loadgen/loadgen ] && [ bench/loadgen/loadgen -nt bench/loadgen/loadgen.c ] ||
  cc -O2 -Wall -o bench/loadgen/loadgen bench/loadgen/loadgen.c
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
case $mode in
  uvloop-*) server=(/usr/bin/python3 bench/servers/py_echo.py uvloop "${mode#uvloop-}" 0) ;;
  *)
    # Bundled beside dist/ so that its import of the package resolves to the build.
    node_modules/.bin/esbuild bench/servers/tsyncio-echo.ts --format=esm --platform=node \
      --outfile=dist/.callgrind-echo.mjs --log-level=error
    sed -i 's#"../../src/index.js"#"./esm/index.js"#' dist/.callgrind-echo.mjs
    server=(node dist/.callgrind-echo.mjs "$mode" 0) ;;
esac
self=${SELF:-0}
if [ "$self" = 1 ]; then
  case $mode in uvloop-*) echo "SELF=1 is for the tsyncio servers" >&2; exit 2 ;; esac
  server+=("$size")
fi
taskset -c 0 valgrind --tool=callgrind --smc-check=all-non-file --instr-atstart=no \
  --callgrind-out-file="$work/cg.%p" "${server[@]}" >"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 600); do grep -q READY "$work/out" 2>/dev/null && break; sleep 0.2; done
port=$(awk '/READY/{print $2}' "$work/out")
[ -n "$port" ] || { cat "$work/err" >&2; exit 1; }
if [ "$self" = 1 ]; then
  # The process reports its round trips on SIGUSR2; the warm-up is counted in
  # round trips, as the JIT's progress under valgrind depends on them.
  completed() {
    local before
    before=$(grep -c DONE "$work/err" || true)
    kill -USR2 "$pid"
    while [ "$(grep -c DONE "$work/err" || true)" -le "$before" ]; do sleep 0.05; done
    grep DONE "$work/err" | tail -n 1 | awk '{print $2}'
  }
  until [ "$(completed)" -ge "${WARMREQ:-30000}" ]; do sleep 2; done
else
  taskset -c 1 bench/loadgen/loadgen 127.0.0.1 "$port" 10 "$size" "$warm" 0 >/dev/null
  # callgrind_control is answered only while the server is busy: counting is
  # switched on and off under load, and the load generator reports how many
  # requests it had completed at each switch (SIGUSR1).
  taskset -c 1 bench/loadgen/loadgen 127.0.0.1 "$port" 10 "$size" $((secs + 6)) 0 >/dev/null 2>"$work/load" &
  load=$!
  completed() {
    local before
    before=$(wc -l < "$work/load")
    kill -USR1 "$load"
    while [ "$(wc -l < "$work/load")" -le "$before" ]; do sleep 0.01; done
    tail -n 1 "$work/load"
  }
  sleep 2
fi
callgrind_control -z "$pid" >/dev/null
callgrind_control -i on "$pid" >/dev/null
c0=$(completed)
sleep "$secs"
c1=$(completed)
callgrind_control -i off "$pid" >/dev/null
callgrind_control -d "$pid" >/dev/null
[ "$self" = 1 ] || wait "$load"
kill -KILL "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
counted=$((c1 - c0))
ir=$(cat "$work"/cg.* | awk '/^totals:/ {s += $2} END {print s}')
# KEEP=DIR keeps the profile (callgrind_annotate DIR/cg.*) to see where a change went.
if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP" && cp "$work"/cg.* "$KEEP"/; fi
unit=request; [ "$self" = 1 ] && unit="round trip (self-driven)"
printf '%s %s B: %.0f instructions per %s (%s instructions, %s counted)\n' \
  "$mode" "$size" "$(echo "$ir / $counted" | bc -l)" "$unit" "$ir" "$counted"
