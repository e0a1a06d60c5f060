#!/usr/bin/env bash
# Threads and memory when checks cannot keep up: CHECKS services (2,000 by default) with one TCP
# check each, every second (timeout 500ms), of a listener on loopback that never accepts (backlog
# 1, so once its queue is full every SYN is dropped and every connect hangs). rhid is started
# through the launcher with its default flags; its RSS and threads are printed every 10 s for
# SECONDS, then its CPU over them (user and system, per thread group, with context switches) and
# the failure reasons it counted. BIRD runs with its own config and socket in a temporary
# directory and announces nothing to anyone; rhid manages no addresses. Everything started is
# stopped by PID and the directory removed at the end.
#
#   examples/bench/stuck-listener.sh [RHID] [SECONDS] [CHECKS]
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
. "$repo/examples/bench/lib.sh"
rhid=${1:-$repo/agent/target/rhid/bin/rhid}
secs=${2:-300}
checks=${3:-2000}

bench_init stuck-listener
port=$(bench_free_port)
status=$(bench_free_port)

python3 -c "
import socket, time
s = socket.socket()
s.bind(('127.0.0.1', $port))
s.listen(1)
time.sleep(1e9)
" &
bench_stop_at_exit $!

bench_start_bird

{
    bench_rhid_header "$status"
    echo "defaults: { interval: 1s, fast_interval: 100ms, timeout: 500ms }"
    echo "services:"
    for i in $(seq 1 "$checks"); do
        printf '  s%d:\n    prefixes: ["2001:db8:1::%x/128"]\n' "$i" "$i"
        printf '    checks: [ { type: tcp, address: "127.0.0.1:%d" } ]\n' "$port"
    done
} > "$d/rhid.yaml"

bench_start_rhid "$rhid" "$d/rhid.yaml"
sleep 5

# The report measures over the whole run and prints at its end, after the samples.
bench_report "$rhid_pid" "$(( secs / 10 * 10 ))" > "$d/report" &
report=$!
for i in $(seq 1 $((secs / 10))); do
    sleep 10
    echo "t=$((i * 10))s $(grep -E 'VmRSS|Threads' "/proc/$rhid_pid/status" | tr -s ' \t\n' ' ')"
done
wait "$report"
cat "$d/report"
curl -s "127.0.0.1:$status/metrics" | grep '^rhid_check_failures_total' \
    | sed 's/.*reason="\([^"]*\)".* \([0-9.e+]*\)$/\1 \2/' \
    | awk '{n[$1] += $2} END {for (r in n) printf "failures: %s %d\n", r, n[r]}'
