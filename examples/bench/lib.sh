# Shared by the shell benches here, sourced after `set -euo pipefail`: a temporary directory
# removed at exit with everything started in it stopped by PID, free loopback ports, a BIRD with its
# own config and socket that announces nothing to anyone, rhid started through the launcher with
# its default flags (no CDS archive) and managing no addresses, and the /proc report of its CPU.
#
#   bench_init NAME                   $d, the directory (under $TMPDIR, else /tmp); the cleanup trap
#   bench_free_port                   prints a free TCP port on 127.0.0.1
#   bench_stop_at_exit PID|PIDFILE    one more thing the cleanup stops
#   bench_start_bird                  BIRD on $d/bird.ctl, rhid's include file $d/rhid.conf
#   bench_rhid_header STATUS_PORT     the YAML every bench's config starts with
#   bench_start_rhid RHID YAML [JAVA_OPTS]   starts rhid in the background; its PID in $rhid_pid
#   bench_report PID SECONDS          CPU, per thread group, over SECONDS; then VmRSS and Threads

bench_init() {
    d=$(mktemp -d "${TMPDIR:-/tmp}/rhid-$1.XXXXXX")
    bench_stops=()
    trap bench_cleanup EXIT
}

bench_cleanup() {
    local i s
    # Last started, first stopped: rhid goes before the BIRD it talks to.
    for ((i = ${#bench_stops[@]} - 1; i >= 0; i--)); do
        s=${bench_stops[i]}
        if [ -f "$s" ]; then
            kill "$(cat "$s")" 2>/dev/null || true
        elif [[ "$s" =~ ^[0-9]+$ ]]; then
            kill "$s" 2>/dev/null || true
        fi
    done
    sleep 0.5 # let them close their files before the directory goes
    rm -rf "$d"
}

bench_stop_at_exit() {
    bench_stops+=("$1")
}

bench_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

bench_start_bird() {
    cat > "$d/rhid.conf" <<BIRD
protocol static rhid4 { ipv4; }
protocol static rhid6 { ipv6; }
function rhid_export() { return false; }
BIRD
    printf 'router id 192.0.2.1;\nprotocol device {}\ninclude "%s";\n' "$d/rhid.conf" > "$d/bird.conf"
    bench_stop_at_exit "$d/bird.pid"
    bird -c "$d/bird.conf" -s "$d/bird.ctl" -P "$d/bird.pid"
}

bench_rhid_header() {
    mkdir -p "$d/state"
    echo "router: { bird: { include_file: $d/rhid.conf, socket: $d/bird.ctl } }"
    echo "addresses: { manage: false }"
    echo "status: { listen: 127.0.0.1:$1 }"
    echo "control: { socket: $d/control.sock }"
    echo "state_dir: $d/state"
}

bench_start_rhid() {
    RHID_JAVA_OPTS="${3:-}" RHID_CDS_DIR="$d/no-cds" "$1" run -c "$2" --log-level warn > "$d/rhid.log" 2>&1 &
    rhid_pid=$!
    bench_stop_at_exit "$rhid_pid"
}

# The first line, `cpu: X % of one core over N s`, and the VmRSS and Threads lines are read by
# people and scripts: keep their form. Threads are grouped by name without trailing digits (the
# JVM numbers its pool threads); a thread that ended during the interval is not counted.
bench_report() {
    python3 - "$1" "$2" <<'PY'
import collections, os, sys, time
pid, secs = sys.argv[1], float(sys.argv[2])
def threads():
    out = {}
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            stat = open(f"/proc/{pid}/task/{t}/stat").read()
            status = open(f"/proc/{pid}/task/{t}/status").read()
        except OSError:
            continue  # the thread ended while being read
        f = stat[stat.rindex(")") + 2:].split()
        switches = sum(int(l.split()[1]) for l in status.splitlines()
                       if l.startswith(("voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:")))
        name = stat[stat.index("(") + 1:stat.rindex(")")].rstrip("0123456789")
        out[t] = (name, int(f[11]), int(f[12]), switches)  # utime, stime in clock ticks
    return out
hz = os.sysconf("SC_CLK_TCK")
a, start = threads(), time.monotonic()
time.sleep(secs)
b, took = threads(), time.monotonic() - start
groups = collections.defaultdict(lambda: [0, 0, 0])
for t, (name, user, system, switches) in b.items():
    _, user0, system0, switches0 = a.get(t, (name, 0, 0, 0))
    g = groups[name]
    g[0] += user - user0
    g[1] += system - system0
    g[2] += switches - switches0
pct = lambda ticks: 100 * ticks / hz / took
user = sum(g[0] for g in groups.values())
system = sum(g[1] for g in groups.values())
print(f"cpu: {pct(user + system):.1f} % of one core over {took:.0f} s")
print(f"  user {pct(user):.1f} %, system {pct(system):.1f} %, "
      f"{sum(g[2] for g in groups.values()) / took:.0f} context switches/s")
print("      cpu %    user %  system %    switches/s  thread group")
for name, (u, s, cs) in sorted(groups.items(), key=lambda kv: -(kv[1][0] + kv[1][1]))[:10]:
    print(f"  {pct(u + s):8.2f}  {pct(u):8.2f}  {pct(s):8.2f}  {cs / took:12.0f}  {name}")
PY
    grep -E 'VmRSS|Threads' "/proc/$1/status"
}
