#!/usr/bin/env bash
# rhid demo: a real BIRD 2 router learns an anycast prefix from a host where rhid watches a toy
# HTTP service. The demo kills the service, measures how long the router keeps the route, brings
# the service back, and cleans up everything it created.
#
#   examples/demo.sh
#
# It installs what is missing (bird2, iproute2, python3, a JDK 17+, Maven) with apt-get, builds
# rhid, and works only inside two network namespaces it creates (host and router) with
# documentation prefixes: 198.51.100.53/32 and 2001:db8::53/128, link 10.255.0.0/30.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
templates=$repo/agent/src/test/resources/it/bird
prefix4=198.51.100.53
prefix6=2001:db8::53
port=8080

if [ "$(id -u)" -ne 0 ]; then
    echo "demo.sh: run as root (it creates network namespaces); try: sudo $0" >&2
    exit 1
fi

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# ---- prerequisites ------------------------------------------------------------------------
missing=()
command -v bird >/dev/null || missing+=(bird2)
command -v ip >/dev/null || missing+=(iproute2)
command -v python3 >/dev/null || missing+=(python3)
command -v mvn >/dev/null || missing+=(maven)
java_major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1 || true)
if [ -z "$java_major" ] || [ "$java_major" -lt 17 ]; then
    missing+=(openjdk-17-jdk-headless)
fi
if [ ${#missing[@]} -gt 0 ]; then
    say "Installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

say "Building rhid"
(cd "$repo" && mvn -B -q package -DskipTests)
rhid=$repo/agent/target/rhid/bin/rhid

# ---- the lab ------------------------------------------------------------------------------
work=$(mktemp -d /tmp/rhid-demo.XXXXXX)
host=rhiddemo$$h
router=rhiddemo$$r
pids=()

cleanup() {
    set +e
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    done
    ip netns del "$host" 2>/dev/null
    ip netns del "$router" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "Creating namespaces $host (rhid, BIRD, the service) and $router (a BIRD eBGP peer)"
ip netns add "$host"
ip netns add "$router"
ip -n "$host" link set lo up
ip -n "$router" link set lo up
ip -n "$host" link add eth0 type veth peer name eth0 netns "$router"
ip -n "$host" addr add 10.255.0.1/30 dev eth0
ip -n "$router" addr add 10.255.0.2/30 dev eth0
ip -n "$host" addr add 2001:db8:ffff::1/64 dev eth0 nodad
ip -n "$router" addr add 2001:db8:ffff::2/64 dev eth0 nodad
ip -n "$host" link set eth0 up
ip -n "$router" link set eth0 up

# The lab's BIRD configs: the host's bird.conf includes rhid's file and exports rhid_export().
sed -e "s#@WORK_DIR@#$work#g" -e "s#@INCLUDE_FILE@#$work/rhid.conf#g" "$templates/router.conf" > "$work/router.conf"
sed -e "s#@WORK_DIR@#$work#g" -e "s#@INCLUDE_FILE@#$work/rhid.conf#g" "$templates/host.conf" > "$work/host.conf"
cp "$templates/rhid-empty.conf" "$work/rhid.conf"

ip netns exec "$router" bird -f -c "$work/router.conf" -s "$work/router.ctl" -P "$work/router.pid" >"$work/router.out" 2>&1 &
pids+=($!)
ip netns exec "$host" bird -f -c "$work/host.conf" -s "$work/host.ctl" -P "$work/host.pid" >"$work/host.out" 2>&1 &
pids+=($!)

cat > "$work/rhid.yaml" <<EOF
router:
  bird: { include_file: $work/rhid.conf, socket: $work/host.ctl, asn: 65000 }
  reconcile_interval: 2s
addresses: { interface: lo, remove_when_down: true }
state_dir: $work/state
control: { socket: $work/control.sock }
status: { listen: "127.0.0.1:9790" }
services:
  web:
    prefixes: [$prefix4/32, "$prefix6/128"]
    interval: 200ms
    fast_interval: 20ms
    timeout: 100ms
    rise: 2
    fall: 2
    announce:
      up: { communities: ["65000:100"], med: 100 }
    checks:
      - { type: http, url: "http://127.0.0.1:$port/" }
EOF

start_service() {
    mkdir -p "$work/www"
    ip netns exec "$host" python3 -m http.server --bind 127.0.0.1 --directory "$work/www" "$port" >"$work/www.log" 2>&1 &
    service_pid=$!
    pids+=("$service_pid")
}

router_has_route() {
    ip -n "$router" route show "$prefix4/32" | grep -q .
}

router_has_route6() {
    ip -n "$router" -6 route show "$prefix6/128" | grep -q .
}

# Polls the router's kernel table every few ms; prints the ms until it has (or lacks) the route.
wait_route() {
    local want=$1 since=$2 limit_ms=$3
    while true; do
        if { [ "$want" = present ] && router_has_route; } || { [ "$want" = absent ] && ! router_has_route; }; then
            echo $(( $(now_ms) - since ))
            return 0
        fi
        if [ $(( $(now_ms) - since )) -gt "$limit_ms" ]; then
            echo "timeout"
            return 1
        fi
        sleep 0.005
    done
}

say "Starting the toy service (python3 http.server on 127.0.0.1:$port) and rhid"
start_service
ip netns exec "$host" "$rhid" run -c "$work/rhid.yaml" >"$work/rhid.log" 2>&1 &
rhid_pid=$!
pids+=("$rhid_pid")

t=$(now_ms)
if ! ms=$(wait_route present "$t" 30000); then
    echo "the route did not reach the router; rhid's log:" >&2
    tail -n 30 "$work/rhid.log" >&2
    exit 1
fi
for _ in $(seq 200); do router_has_route6 && break; sleep 0.01; done
say "The router learned the route ($ms ms after rhid started)"
ip -n "$router" route show "$prefix4/32"
ip -n "$router" -6 route show "$prefix6/128"
birdc -s "$work/router.ctl" show route "$prefix4/32" all | grep -E 'BGP\.(as_path|med|community)|via' || true

say "Killing the service"
t=$(now_ms)
kill "$service_pid"
wait "$service_pid" 2>/dev/null || true
ms=$(wait_route absent "$t" 10000)
say "The router lost the route $ms ms after the service died (interval 200ms, fast_interval 20ms, fall 2)"
awk '/web: up -> down/ { print; found = 1; next } found && /bird: applied/ { print; exit }' "$work/rhid.log"

say "Starting the service again"
t=$(now_ms)
start_service
ms=$(wait_route present "$t" 10000)
say "The router has the route again, $ms ms later"
grep -E 'web: down -> up' "$work/rhid.log" | tail -n 1

say "Stopping rhid (SIGTERM): it withdraws everything and removes the addresses it added"
kill -TERM "$rhid_pid"
wait "$rhid_pid" || true
ms=$(wait_route absent "$(now_ms)" 5000)
tail -n 2 "$work/rhid.log"
echo "router routes for $prefix4: $(ip -n "$router" route show "$prefix4/32" | wc -l); host addresses: $(ip -n "$host" addr show dev lo | grep -c "$prefix4" || true)"

say "Cleaning up: namespaces, daemons and $work are removed"
