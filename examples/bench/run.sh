#!/usr/bin/env bash
# Runs rhid's benchmarks in the network-namespace lab (real BIRD 2 and FRR, a BIRD router peer)
# and writes examples/bench/RESULTS.md: the date, this machine, the commands, and one table per
# benchmark. As root:
#
#   examples/bench/run.sh            # everything (about 15 minutes on 2 cores)
#   examples/bench/run.sh --quick    # fewer trials and shorter runs, to try it out
#   examples/bench/run.sh ScaleBench # only the named benchmarks
#
# The benchmarks are JUnit classes tagged "bench" in agent/src/test/java/io/rhid/agent/bench/;
# they are not part of `mvn verify`.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
out=$repo/examples/bench/RESULTS.md

if [ "$(id -u)" -ne 0 ]; then
    echo "run.sh: run as root (the lab creates network namespaces); try: sudo $0" >&2
    exit 1
fi

quick=false
benches=()
for arg in "$@"; do
    case $arg in
        --quick) quick=true ;;
        *) benches+=("$arg") ;;
    esac
done
if [ ${#benches[@]} -eq 0 ]; then
    benches=(BirdLatencyBench WatchLatencyBench FrrLatencyBench FanoutBench CoalesceBench ScaleBench ProbeLoadBench FootprintBench FlapSoakBench)
fi

props=()
if $quick; then
    props=(-Drhid.bench.trials=5 -Drhid.bench.seconds=10 -Drhid.bench.load.seconds=60 -Drhid.bench.sizes=1,100,1000)
fi

missing=()
for cmd in bird:bird2 vtysh:frr ip:iproute2 python3:python3 mvn:maven; do
    command -v "${cmd%%:*}" >/dev/null || missing+=("${cmd##*:}")
done
[ -x /usr/lib/frr/frr-reload.py ] || missing+=(frr-pythontools)
if [ ${#missing[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

cd "$repo"
mvn -B -q install -DskipTests
rm -rf agent/target/bench

commands=()
for bench in "${benches[@]}"; do
    cmd=(mvn -B -o verify -pl agent -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
         -Dit.groups=bench "-Dit.test=$bench" "${props[@]}")
    commands+=("${cmd[*]}")
    echo "== $bench"
    "${cmd[@]}" | grep -E '^\||Tests run:|FAIL|SKIPPED' || true
done

{
    echo "# rhid benchmark results"
    echo
    echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') by \`examples/bench/run.sh${*:+ $*}\`."
    echo
    echo "## Machine"
    echo
    echo "- CPU: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)"
    echo "- Memory: $(free -g | awk '/^Mem:/ { print $2 " GiB" }'); kernel $(uname -r)"
    echo "- $(java -version 2>&1 | head -n1)"
    echo "- $(bird --version 2>&1 | head -n1); FRR $(dpkg-query -W -f='${Version}' frr 2>/dev/null || echo '?')"
    echo "- rhid $(agent/target/rhid/bin/rhid --version 2>/dev/null | sed 's/^rhid //')"
    echo "- The machine is shared: figures are medians and ratios of repeated trials, not single runs."
    echo
    echo "## Commands"
    echo
    echo '```'
    for c in "${commands[@]}"; do echo "$c"; done
    echo '```'
    echo
    for bench in "${benches[@]}"; do
        case $bench in
            BirdLatencyBench) f=bird-latency ;;
            FrrLatencyBench) f=frr-latency ;;
            FanoutBench) f=fanout ;;
            CoalesceBench) f=coalesce ;;
            ScaleBench) f=scale ;;
            ProbeLoadBench) f=probe-load ;;
            FootprintBench) f=footprint ;;
            *) f= ;;
        esac
        if [ -n "$f" ] && [ -f "agent/target/bench/$f.md" ]; then
            cat "agent/target/bench/$f.md"
        else
            echo "## $bench"
            echo
            echo "(no result: see the output above)"
            echo
        fi
    done
} > "$out"

echo "wrote $out"
