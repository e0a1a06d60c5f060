#!/usr/bin/env bash
# What probing costs rhid: 50 services with one HTTP check each, every 200 ms, against one
# keep-alive nginx on loopback, rhid started through the launcher with its default flags (no CDS
# archive). Prints rhid's CPU (percent of one core, from /proc over SECONDS), split into user and
# system, and each thread group's share and context switches per second, then RSS and threads.
# BIRD runs with its own config and socket in a temporary directory and announces nothing to
# anyone; rhid manages no addresses. Everything started is stopped by PID and the directory
# removed at the end. Needs nginx, bird, python3, curl; no root unless BIRD needs it.
#
#   examples/bench/probe-cost.sh [RHID] [SECONDS] [EXTRA_JVM_OPTS]
#
# RHID defaults to the build tree's agent/target/rhid/bin/rhid; EXTRA_JVM_OPTS go to
# RHID_JAVA_OPTS (e.g. "-XX:NativeMemoryTracking=summary", then NMT=1 prints jcmd's summary).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
. "$repo/examples/bench/lib.sh"
rhid=${1:-$repo/agent/target/rhid/bin/rhid}
secs=${2:-60}
extra=${3:-}
services=${SERVICES:-50}

bench_init probe-cost
port=$(bench_free_port)
status=$(bench_free_port)

mkdir -p "$d/nginx/logs"
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
bench_stop_at_exit "$d/nginx/nginx.pid"
nginx -c "$d/nginx.conf" -p "$d/nginx" -g 'daemon on;'

bench_start_bird

{
    bench_rhid_header "$status"
    echo "defaults: { interval: 200ms, fast_interval: 20ms, timeout: 100ms, rise: 2, fall: 2 }"
    echo "services:"
    for i in $(seq 1 "$services"); do
        printf '  s%d:\n    prefixes: ["2001:db8:1::%x/128"]\n' "$i" "$i"
        printf '    checks: [ { type: http, url: "http://127.0.0.1:%d/health" } ]\n' "$port"
    done
} > "$d/rhid.yaml"

bench_start_rhid "$rhid" "$d/rhid.yaml" "$extra"

up=0
for _ in $(seq 1 300); do
    up=$(curl -s "127.0.0.1:$status/metrics" | grep -c 'rhid_service_state{.*state="up"} 1' || true)
    [ "$up" = "$services" ] && break
    sleep 0.2
done
echo "services up: $up of $services"
sleep 5 # past the start-up's compilation

bench_report "$rhid_pid" "$secs"
if [ -n "${NMT:-}" ]; then jcmd "$rhid_pid" VM.native_memory summary; fi
