#!/usr/bin/env bash
# Threads and memory when checks cannot keep up: CHECKS services (2,000 by default) with one TCP
# check each, every second (timeout 500ms), of a listener on loopback that never accepts (backlog
# 1, so once its queue is full every SYN is dropped and every connect hangs). rhid is started
# through the launcher with its default flags; its RSS and threads are printed every 10 s for
# SECONDS, then its CPU and the failure reasons it counted. BIRD runs with its own config and
# socket in a temporary directory and announces nothing to anyone; rhid manages no addresses.
# Everything started is stopped by PID and the directory removed at the end.
#
#   examples/bench/stuck-listener.sh [RHID] [SECONDS] [CHECKS]
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
rhid=${1:-$repo/agent/target/rhid/bin/rhid}
secs=${2:-300}
checks=${3:-2000}

d=$(mktemp -d /tmp/rhid-stuck-listener.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    [ -f "$d/bird.pid" ] && kill "$(cat "$d/bird.pid")" 2>/dev/null || true
    sleep 0.5
    rm -rf "$d"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
status=$(free_port)

python3 -c "
import socket, time
s = socket.socket()
s.bind(('127.0.0.1', $port))
s.listen(1)
time.sleep(1e9)
" &
pids+=($!)

mkdir -p "$d/state"
cat > "$d/rhid.conf" <<BIRD
protocol static rhid4 { ipv4; }
protocol static rhid6 { ipv6; }
function rhid_export() { return false; }
BIRD
printf 'router id 192.0.2.1;\nprotocol device {}\ninclude "%s";\n' "$d/rhid.conf" > "$d/bird.conf"
bird -c "$d/bird.conf" -s "$d/bird.ctl" -P "$d/bird.pid"

{
    echo "router: { bird: { include_file: $d/rhid.conf, socket: $d/bird.ctl } }"
    echo "addresses: { manage: false }"
    echo "status: { listen: 127.0.0.1:$status }"
    echo "control: { socket: $d/control.sock }"
    echo "state_dir: $d/state"
    echo "defaults: { interval: 1s, fast_interval: 100ms, timeout: 500ms }"
    echo "services:"
    for i in $(seq 1 "$checks"); do
        printf '  s%d:\n    prefixes: ["2001:db8:1::%x/128"]\n' "$i" "$i"
        printf '    checks: [ { type: tcp, address: "127.0.0.1:%d" } ]\n' "$port"
    done
} > "$d/rhid.yaml"

RHID_CDS_DIR="$d/no-cds" "$rhid" run -c "$d/rhid.yaml" --log-level warn > "$d/rhid.log" 2>&1 &
pid=$!
pids+=("$pid")
sleep 5

hz=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
c0=$(cpu)
t0=$(date +%s)
for i in $(seq 1 $((secs / 10))); do
    sleep 10
    echo "t=$((i * 10))s $(grep -E 'VmRSS|Threads' "/proc/$pid/status" | tr -s ' \t\n' ' ')"
done
c1=$(cpu)
t1=$(date +%s)
echo "cpu: $(( (c1 - c0) * 100 / hz / (t1 - t0) )) % of one core"
curl -s "127.0.0.1:$status/metrics" | grep '^rhid_check_failures_total' \
    | sed 's/.*reason="\([^"]*\)".* \([0-9.e+]*\)$/\1 \2/' \
    | awk '{n[$1] += $2} END {for (r in n) printf "failures: %s %d\n", r, n[r]}'
