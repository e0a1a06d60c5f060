#!/usr/bin/env bash
# What probing costs rhid: 50 services with one HTTP check each, every 200 ms, against one
# keep-alive nginx on loopback, rhid started through the launcher with its default flags (no CDS
# archive). Prints rhid's CPU (percent of one core, from /proc over SECONDS), each thread group's
# share, RSS and threads. BIRD runs with its own config and socket in a temporary directory and
# announces nothing to anyone; rhid manages no addresses. Everything started is stopped by PID and
# the directory removed at the end. Needs nginx, bird, python3, curl; no root unless BIRD needs it.
#
#   examples/bench/probe-cost.sh [RHID] [SECONDS] [EXTRA_JVM_OPTS]
#
# RHID defaults to the build tree's agent/target/rhid/bin/rhid; EXTRA_JVM_OPTS go to
# RHID_JAVA_OPTS (e.g. "-XX:NativeMemoryTracking=summary", then NMT=1 prints jcmd's summary).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
rhid=${1:-$repo/agent/target/rhid/bin/rhid}
secs=${2:-60}
extra=${3:-}
services=${SERVICES:-50}

d=$(mktemp -d /tmp/rhid-probe-cost.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    [ -f "$d/nginx/nginx.pid" ] && kill "$(cat "$d/nginx/nginx.pid")" 2>/dev/null || true
    [ -f "$d/bird.pid" ] && kill "$(cat "$d/bird.pid")" 2>/dev/null || true
    sleep 0.5
    rm -rf "$d"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
status=$(free_port)

mkdir -p "$d/nginx/logs" "$d/state"
cat > "$d/nginx.conf" <<NGINX
worker_processes 1;
pid $d/nginx/nginx.pid;
error_log $d/nginx/logs/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $d/nginx/cb; proxy_temp_path $d/nginx/p; fastcgi_temp_path $d/nginx/f;
    uwsgi_temp_path $d/nginx/u; scgi_temp_path $d/nginx/s;
    keepalive_timeout 75s;
    keepalive_requests 1000000;
    server { listen 127.0.0.1:$port; location / { return 200 "ok\n"; } }
}
NGINX
nginx -c "$d/nginx.conf" -p "$d/nginx" -g 'daemon on;'

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
    echo "defaults: { interval: 200ms, fast_interval: 20ms, timeout: 100ms, rise: 2, fall: 2 }"
    echo "services:"
    for i in $(seq 1 "$services"); do
        printf '  s%d:\n    prefixes: ["2001:db8:1::%x/128"]\n' "$i" "$i"
        printf '    checks: [ { type: http, url: "http://127.0.0.1:%d/health" } ]\n' "$port"
    done
} > "$d/rhid.yaml"

RHID_JAVA_OPTS="$extra" RHID_CDS_DIR="$d/no-cds" "$rhid" run -c "$d/rhid.yaml" --log-level warn > "$d/rhid.log" 2>&1 &
pid=$!
pids+=("$pid")

up=0
for _ in $(seq 1 300); do
    up=$(curl -s "127.0.0.1:$status/metrics" | grep -c 'rhid_service_state{.*state="up"} 1' || true)
    [ "$up" = "$services" ] && break
    sleep 0.2
done
echo "services up: $up of $services"
sleep 5 # past the start-up's compilation

python3 - "$pid" "$secs" <<'PY'
import os, sys, time, collections
pid, secs = sys.argv[1], float(sys.argv[2])
def threads():
    out = {}
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            s = open(f"/proc/{pid}/task/{t}/stat").read()
            f = s[s.rindex(")") + 2:].split()
            out[t] = (s[s.index("(") + 1:s.rindex(")")].rstrip("0123456789"), int(f[11]) + int(f[12]))
        except OSError:
            pass
    return out
hz = os.sysconf("SC_CLK_TCK")
a, start = threads(), time.monotonic()
time.sleep(secs)
b, took = threads(), time.monotonic() - start
groups = collections.Counter()
for t, (name, ticks) in b.items():
    groups[name] += ticks - a.get(t, (name, 0))[1]
print(f"cpu: {100 * sum(groups.values()) / hz / took:.1f} % of one core over {took:.0f} s")
for name, ticks in groups.most_common(8):
    print(f"  {100 * ticks / hz / took:5.2f} %  {name}")
PY
grep -E 'VmRSS|Threads' "/proc/$pid/status"
if [ -n "${NMT:-}" ]; then jcmd "$pid" VM.native_memory summary; fi
