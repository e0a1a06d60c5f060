#!/usr/bin/env bash
# Installs the built .deb on this machine and proves it works as installed:
#   1. apt-get install ./packaging/target/rhid_VERSION_all.deb (pulls its dependencies);
#   2. files, modes, conffiles, man pages, the rhid user and its groups, /var/lib/rhid (a root-owned
#      state file is handed to rhid), BIRD's include directory /etc/rhid/bird (/etc/bird untouched);
#   3. as the rhid user: rhid --version, rhid check-config on the installed config;
#   4. as the rhid user, against a BIRD running as Debian runs it (bird:bird): rhid run announces,
#      SIGTERM withdraws, and after a kill -9 "rhid withdraw-all" (the unit's ExecStopPost) does;
#   5. systemd-analyze verify on the installed unit;
#   6. BirdIT's "withdraws when the service dies and announces again when it returns" with the
#      installed /usr/bin/rhid (-Drhid.launcher=/usr/bin/rhid);
#   7. remove, reinstall (the upgrade path of the scripts), purge: nothing of rhid's is left but the
#      rhid user and a file in /var/lib/rhid that rhid did not write, and bird.conf and FRR's
#      config are untouched; a purge while bird.conf includes the file keeps /etc/rhid/bird;
#   8. the rpm's %post, %preun and %postun (erase) scriptlets, run by sh on this machine.
# It changes the machine (packages, a system user, /etc/rhid until purge), so it runs only
# as root, with --yes (as .ci/run runs it, after "mvn -B verify") or CI=true.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
    echo "packaging/test-install.sh: run as root (it installs and purges the rhid package)" >&2
    exit 1
fi
if [ "${CI:-}" != true ] && [ "${1:-}" != --yes ]; then
    echo "packaging/test-install.sh: installs and purges the rhid package on this machine; run it with CI=true or --yes" >&2
    exit 1
fi

shopt -s nullglob
debs=(packaging/target/rhid_*_all.deb)
if [ "${#debs[@]}" -ne 1 ]; then
    echo "packaging/test-install.sh: expected one packaging/target/rhid_*_all.deb (build it: mvn -B package); found ${#debs[@]}" >&2
    exit 1
fi
deb=${debs[0]}
version=$(dpkg-deb -f "$deb" Version)
work=$(mktemp -d /tmp/rhid-install-test.XXXXXX)
chmod 0755 "$work"
bird_pid=
rhid_pid=
remove_leftovers=no
made_fedora_conf=
made_share=
made_run_rhid=
started=$(date +%s)

step() { printf '\n== test-install: %s\n' "$*"; }
# As the rhid user with its groups from /etc/group, as systemd's User= runs it. setpriv and the
# launcher exec, so "$!" of a command started in the background is rhid's JVM itself (a shell
# function would put a subshell in between, and signals would miss rhid).
as_rhid=(setpriv --reuid=rhid --regid=rhid --init-groups --)
fail() { echo "test-install: FAILED: $*" >&2; exit 1; }
expect_stat() { # PATH FORMAT EXPECTED
    local got
    got=$(stat -c "$2" "$1")
    [ "$got" = "$3" ] || fail "$1: stat $2 is $got, expected $3"
}
cleanup() {
    local rc=$?
    for pid in $rhid_pid $bird_pid; do
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
    if [ "$rc" -ne 0 ] && dpkg-query -W rhid >/dev/null 2>&1; then
        echo "test-install: purging rhid after the failure" >&2
        dpkg -P rhid >/dev/null 2>&1 || true
    fi
    if [ "$made_run_rhid" = yes ]; then
        rm -f /run/rhid/control.sock
        rmdir /run/rhid 2>/dev/null || true
    fi
    if [ "$made_share" = yes ]; then
        rm -rf /usr/share/rhid
    fi
    if [ "$made_fedora_conf" = yes ]; then
        rm -f /etc/bird.conf
    fi
    # What this test left on purpose (a foreign file in /var/lib/rhid, a kept /etc/rhid/bird).
    if [ "$remove_leftovers" = yes ]; then
        rm -f /var/lib/rhid/operator-notes /etc/rhid/bird/rhid.conf
        rmdir /var/lib/rhid /etc/rhid/bird /etc/rhid 2>/dev/null || true
    fi
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT

checksum_config() { # what the package must never change: BIRD's and FRR's own config
    { find /etc/bird /etc/frr -maxdepth 1 -type f ! -name rhid.conf -exec sha256sum {} + 2>/dev/null || true; } | sort
}
before=$(checksum_config)
bird_mode_before=$(stat -c %a /etc/bird 2>/dev/null || echo none)
for path in /etc/rhid /var/lib/rhid /var/cache/rhid /etc/bird/rhid.conf; do
    [ ! -e "$path" ] || fail "$path exists before the install; this test wants a machine without rhid"
done
remove_leftovers=yes
# A state file that a rhid run as root left before the package: the postinst must hand it to rhid.
mkdir -p /var/lib/rhid
printf 'web\n' >/var/lib/rhid/drained
chmod 0600 /var/lib/rhid/drained

step "install $deb"
apt-get install -y -q --no-install-recommends "./$deb"
dpkg-query -W -f='${Package} ${Version} ${Status}\n' rhid
[ "$(dpkg-query -W -f='${Status}' rhid)" = "install ok installed" ] || fail "rhid is not installed"

step "files, modes, conffile"
expect_stat /usr/bin/rhid '%a %U:%G' '755 root:root'
expect_stat /etc/rhid/rhid.yaml '%a %U:%G' '644 root:root'
expect_stat /etc/default/rhid '%a %U:%G' '644 root:root'
expect_stat /usr/lib/sysusers.d/rhid.conf '%a %U:%G' '644 root:root'
expect_stat /lib/systemd/system/rhid.service '%a %U:%G' '644 root:root'
ls /usr/share/rhid/lib/rhid-agent-"$version".jar >/dev/null
for f in /usr/share/rhid/lib/*.jar; do expect_stat "$f" '%a' 644; done
for f in copyright changelog.gz README.md bird.conf.example frr.conf.example exabgp.conf.example examples/rhid.yaml examples/frr.yaml examples/minimal.yaml examples/exabgp.yaml; do
    [ -f "/usr/share/doc/rhid/$f" ] || fail "/usr/share/doc/rhid/$f missing"
done
dpkg-query -W -f='${Conffiles}\n' rhid | grep -q '^ /etc/rhid/rhid.yaml ' || fail "/etc/rhid/rhid.yaml is not a conffile"
dpkg-query -W -f='${Conffiles}\n' rhid | grep -q '^ /etc/default/rhid ' || fail "/etc/default/rhid is not a conffile"
for page in rhid rhid-run rhid-status rhid-check-config rhid-withdraw-all; do
    [ -f "/usr/share/man/man1/$page.1.gz" ] || fail "no man page $page(1)"
done
if command -v man >/dev/null; then
    MANWIDTH=80 man rhid-status | tr -s ' ' | grep -q 'rhid-status - show the running daemon' || fail "man rhid-status does not show the page"
    echo "man rhid-status: ok"
fi

step "the rhid user, its groups and state"
getent passwd rhid
IFS=: read -r _ _ _ _ _ home shell < <(getent passwd rhid)
[ "$home" = /var/lib/rhid ] || fail "rhid's home is $home"
case "$shell" in */nologin) ;; *) fail "rhid's shell is $shell, expected nologin" ;; esac
id rhid
for group in bird frrvty; do
    if getent group "$group" >/dev/null; then
        id -Gn rhid | tr ' ' '\n' | grep -qx "$group" || fail "rhid is not in group $group"
    fi
done
expect_stat /var/lib/rhid '%a %U:%G' '750 rhid:rhid'
ls /var/cache/rhid/rhid-*.jsa >/dev/null 2>&1 || fail "the postinst made no CDS archive in /var/cache/rhid"
# The archive is the one the launcher picks for this Java and these jars: a call maps it.
"${as_rhid[@]}" env RHID_JAVA_OPTS=-Xlog:cds=info:stderr /usr/bin/rhid --version 2>&1 | grep -q 'Opened archive .*rhid-[0-9]*\.jsa' \
    || fail "rhid does not map the CDS archive in /var/cache/rhid"
echo "CDS archive: $(ls /var/cache/rhid), mapped by rhid --version"
expect_stat /var/lib/rhid/drained '%a %U:%G' '600 rhid:rhid'
"${as_rhid[@]}" cat /var/lib/rhid/drained >/dev/null || fail "rhid cannot read /var/lib/rhid/drained"
rm /var/lib/rhid/drained
[ "$(stat -c %a /etc/bird 2>/dev/null || echo none)" = "$bird_mode_before" ] || fail "the install changed /etc/bird's mode"
if getent group bird >/dev/null; then
    expect_stat /etc/rhid/bird '%a %U:%G' '750 rhid:bird'
    expect_stat /etc/rhid/bird/rhid.conf '%a %U:%G' '640 rhid:bird'
else
    expect_stat /etc/rhid/bird '%a %U:%G' '750 rhid:rhid'
fi
cmp /etc/rhid/bird/rhid.conf /usr/share/rhid/bird-empty.conf || fail "/etc/rhid/bird/rhid.conf is not the empty include file"
if command -v bird >/dev/null && getent group bird >/dev/null; then
    # BIRD's user reads the file through the directory's group.
    setpriv --reuid=bird --regid=bird --init-groups -- cat /etc/rhid/bird/rhid.conf >/dev/null \
        || fail "user bird cannot read /etc/rhid/bird/rhid.conf"
    # The include file as installed and the documented bird.conf parse together.
    bird -p -c /usr/share/doc/rhid/bird.conf.example
    echo "bird -p accepts /usr/share/doc/rhid/bird.conf.example with the installed /etc/rhid/bird/rhid.conf"
fi

step "as the rhid user: --version and check-config on the installed config"
out=$("${as_rhid[@]}" /usr/bin/rhid --version)
echo "$out"
[ "$out" = "rhid $version" ] || fail "rhid --version printed '$out'"
"${as_rhid[@]}" /usr/bin/rhid check-config -c /etc/rhid/rhid.yaml

if command -v bird >/dev/null && getent group bird >/dev/null; then
    step "as the rhid user, against BIRD running as bird:bird: announce, withdraw on SIGTERM, withdraw-all after kill -9"
    # A BIRD with no BGP and no kernel protocol: rhid's routes stay in BIRD's own table.
    cat >"$work/bird.conf" <<EOF
router id 192.0.2.254;
log stderr all;
include "/etc/rhid/bird/rhid.conf";
protocol device {
}
EOF
    chmod 0644 "$work/bird.conf"
    bird -f -c "$work/bird.conf" -s "$work/bird.ctl" -u bird -g bird >"$work/bird.out" 2>&1 &
    bird_pid=$!
    for _ in $(seq 100); do
        birdc -s "$work/bird.ctl" show status 2>/dev/null | grep -q 'Daemon is up' && break
        sleep 0.1
    done
    birdc -s "$work/bird.ctl" show status | grep -q 'Daemon is up' || fail "BIRD did not start: $(cat "$work/bird.out")"
    ls -l "$work/bird.ctl"
    install -d -o rhid -g rhid -m 0750 "$work/rhid"
    cat >"$work/rhid.yaml" <<EOF
router:
  daemon: bird
  bird:
    include_file: /etc/rhid/bird/rhid.conf
    socket: $work/bird.ctl
  reconcile_interval: 1s
addresses:
  manage: false
status:
  listen: 127.0.0.1:$((20000 + RANDOM % 20000))
control:
  socket: $work/rhid/control.sock
defaults:
  interval: 200ms
  rise: 1
  fall: 1
services:
  web:
    prefixes: [198.51.100.80/32]
    checks:
      - { type: file, path: $work/maintenance }
EOF
    chmod 0644 "$work/rhid.yaml"
    route_in_bird() {
        birdc -s "$work/bird.ctl" show route 198.51.100.80/32 protocol rhid4 | grep -q '^198.51.100.80/32'
    }
    await_route() { # present|absent
        for _ in $(seq 150); do
            if route_in_bird; then [ "$1" = present ] && return 0; else [ "$1" = absent ] && return 0; fi
            sleep 0.1
        done
        cat "$work/rhid.log" >&2 || true
        fail "198.51.100.80/32 not $1 in BIRD within 15 s"
    }
    "${as_rhid[@]}" /usr/bin/rhid run -c "$work/rhid.yaml" >"$work/rhid.log" 2>&1 &
    rhid_pid=$!
    await_route present
    echo "announced: rhid (user rhid, groups $(id -Gn rhid)) replaced /etc/rhid/bird/rhid.conf and reconfigured BIRD (user bird)"
    kill -TERM "$rhid_pid"
    wait "$rhid_pid" || fail "rhid run exited $? on SIGTERM"
    rhid_pid=
    await_route absent
    echo "SIGTERM: withdrawn"
    "${as_rhid[@]}" /usr/bin/rhid run -c "$work/rhid.yaml" >"$work/rhid.log" 2>&1 &
    rhid_pid=$!
    await_route present
    kill -KILL "$rhid_pid"
    wait "$rhid_pid" 2>/dev/null || true
    rhid_pid=
    route_in_bird || fail "the route vanished without a withdrawal"
    echo "kill -9: still announced, as after a crash; now what ExecStopPost runs:"
    "${as_rhid[@]}" /usr/bin/rhid withdraw-all -c "$work/rhid.yaml"
    await_route absent
    echo "withdraw-all: withdrawn"
    cmp /etc/rhid/bird/rhid.conf /usr/share/rhid/bird-empty.conf || fail "/etc/rhid/bird/rhid.conf is not empty after withdraw-all"
    expect_stat /etc/rhid/bird/rhid.conf '%a %U:%G' '640 rhid:bird'

    step "under the unit's sandbox (emulated: systemd is not PID 1 here): file, exec (ip: netlink) and http checks, BIRD's socket"
    port=$((20000 + RANDOM % 20000))
    # The control socket where the unit has it: RuntimeDirectory=rhid is writable, $work is not.
    sed -e "s/^  listen: .*/  listen: 127.0.0.1:$port/" -e "s|^  socket: .*|  socket: /run/rhid/control.sock|" \
        "$work/rhid.yaml" >"$work/rhid-sandbox.yaml"
    printf '%s\n' \
        '  sys:' \
        '    prefixes: [198.51.100.81/32]' \
        '    checks:' \
        '      - { type: exec, command: [/usr/sbin/ip, -o, address, show, dev, lo] }' \
        "      - { type: http, url: \"http://127.0.0.1:$port/healthz\" }" >>"$work/rhid-sandbox.yaml"
    chmod 0644 "$work/rhid-sandbox.yaml"
    mkdir "$work/sandbox"
    [ ! -e /run/rhid ] || fail "/run/rhid exists; the sandbox creates it for rhid (RuntimeDirectory=)"
    made_run_rhid=yes
    sandbox=(env RHID_SANDBOX_TMP_KEEP="$work" packaging/src/test/sandbox/run-sandboxed.sh /lib/systemd/system/rhid.service "$work/sandbox" --)
    # The sandbox is real: the root file system is read-only, mount(2) is refused, AF_PACKET too.
    out=$("${sandbox[@]}" sh -c 'touch /usr/rhid-sandbox-test; mount -t tmpfs none /mnt; python3 -c "import socket; socket.socket(socket.AF_PACKET, socket.SOCK_RAW)"; echo "uid=$(id -un) umask=$(umask)"; grep CapEff /proc/self/status' 2>&1 || true)
    echo "$out"
    for expect in "Read-only file system" "must be superuser" "Address family not supported" "uid=rhid umask=0027" "CapEff:	0000000000001000"; do
        case "$out" in *"$expect"*) ;; *) fail "the emulated sandbox is not in force: no '$expect'" ;; esac
    done
    [ ! -e /usr/rhid-sandbox-test ] || fail "the emulated sandbox let a write to /usr through"
    "${sandbox[@]}" /usr/bin/rhid run -c "$work/rhid-sandbox.yaml" >"$work/rhid.log" 2>&1 &
    rhid_pid=$!
    await_route present
    for _ in $(seq 150); do
        birdc -s "$work/bird.ctl" show route 198.51.100.81/32 protocol rhid4 | grep -q '^198.51.100.81/32' && break
        sleep 0.1
    done
    birdc -s "$work/bird.ctl" show route 198.51.100.81/32 protocol rhid4 | grep -q '^198.51.100.81/32' \
        || { cat "$work/rhid.log" >&2; fail "sandboxed: sys (exec ip, http) not announced within 15 s"; }
    python3 -c "import urllib.request, sys; sys.stdout.write(urllib.request.urlopen('http://127.0.0.1:$port/metrics').read().decode())" \
        >"$work/metrics.txt"
    if command -v promtool >/dev/null; then
        # Prometheus's own lint of the live /metrics.
        promtool check metrics <"$work/metrics.txt" || fail "promtool check metrics on rhid's /metrics"
        echo "promtool check metrics: ok"
    fi
    kill -TERM "$rhid_pid"
    wait "$rhid_pid" || fail "sandboxed rhid run exited $? on SIGTERM"
    rhid_pid=
    await_route absent
    # BIRD here has no BGP peer, so rhid rightly warns that what it announces reaches no session;
    # any other warning is a finding.
    if grep -E 'WARN|ERROR|SEVERE|denied|not permitted' "$work/rhid.log" \
            | grep -v 'exports: announced, exported to no established session (established: none)'; then
        fail "sandboxed rhid logged warnings or errors (above)"
    fi
    rm -f /run/rhid/control.sock
    rmdir /run/rhid
    made_run_rhid=
    echo "sandboxed: web and sys announced (file, exec ip -o address, http checks; BIRD's control socket), withdrawn on SIGTERM"
    kill "$bird_pid"
    wait "$bird_pid" 2>/dev/null || true
    bird_pid=
else
    echo "SKIPPED the rhid-user BIRD check: bird2 is not installed"
fi

step "systemd-analyze verify /lib/systemd/system/rhid.service"
if command -v systemd-analyze >/dev/null; then
    out=$(systemd-analyze verify /lib/systemd/system/rhid.service 2>&1) || fail "systemd-analyze verify: $out"
    [ -z "$out" ] || fail "systemd-analyze verify printed: $out"
    echo "systemd-analyze verify: ok, no output"
else
    echo "SKIPPED systemd-analyze verify: install Debian's systemd package for it"
fi

step "BirdIT with the installed launcher: -Drhid.launcher=/usr/bin/rhid"
mvn -B -pl checks,agent verify \
    -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test='BirdIT#withdraws_when_the_service_dies_and_announces_again_when_it_returns' \
    -Dfailsafe.failIfNoSpecifiedTests=false \
    -Drhid.launcher=/usr/bin/rhid 2>&1 | tee "$work/birdit.log" | grep -E 'BirdIT|Tests run|SKIPPED|FAIL|ERROR|BUILD' || true
grep -q 'BUILD SUCCESS' "$work/birdit.log" || fail "BirdIT with /usr/bin/rhid failed (see above)"
grep -q 'Tests run: 1, Failures: 0, Errors: 0, Skipped: 0' "$work/birdit.log" \
    || fail "BirdIT with /usr/bin/rhid did not run exactly one test"
grep -q 'name="rhid.launcher" value="/usr/bin/rhid"' agent/target/failsafe-reports/TEST-io.rhid.agent.it.BirdIT.xml \
    || fail "BirdIT did not get -Drhid.launcher=/usr/bin/rhid"
echo "BirdIT passed with rhid.launcher=/usr/bin/rhid"

step "remove: the conffile and state stay, the program goes"
dpkg -r rhid
[ ! -e /usr/bin/rhid ] || fail "/usr/bin/rhid left after remove"
[ -f /etc/rhid/rhid.yaml ] || fail "/etc/rhid/rhid.yaml removed by remove (it is a conffile)"
[ -d /var/lib/rhid ] || fail "/var/lib/rhid removed by remove"

step "reinstall over the removed package (the scripts run again, idempotently)"
dpkg -i "$deb"
dpkg -i "$deb"
"${as_rhid[@]}" /usr/bin/rhid check-config -c /etc/rhid/rhid.yaml

step "purge: rhid's files and the include directory go, a file rhid did not write stays"
install -o rhid -g rhid -m 0640 /dev/null /var/lib/rhid/addresses    # as rhid writes its state
echo "an operator's note, not rhid's" >/var/lib/rhid/operator-notes
dpkg -P rhid
left=$(ls -d /usr/bin/rhid /usr/share/rhid /usr/share/doc/rhid /etc/rhid /etc/default/rhid /run/rhid \
    /usr/share/man/man1/rhid.1.gz /usr/lib/sysusers.d/rhid.conf /var/lib/rhid/addresses /var/cache/rhid \
    /lib/systemd/system/rhid.service /etc/systemd/system/rhid.service /etc/systemd/system/*/rhid.service \
    /var/lib/systemd/deb-systemd-helper-enabled/rhid.service.dsh-also \
    /var/lib/systemd/deb-systemd-helper-masked/rhid.service 2>/dev/null || true)
[ -z "$left" ] || fail "left after purge: $left"
[ -f /var/lib/rhid/operator-notes ] || fail "purge deleted /var/lib/rhid/operator-notes, a file rhid did not write"
rm /var/lib/rhid/operator-notes
rmdir /var/lib/rhid
status=$(dpkg-query -W -f='${Status}' rhid 2>/dev/null || true)
case "$status" in ''|*not-installed) ;; *) fail "dpkg still has rhid: $status" ;; esac
[ "$(checksum_config)" = "$before" ] || fail "BIRD's or FRR's config changed"
[ "$(stat -c %a /etc/bird 2>/dev/null || echo none)" = "$bird_mode_before" ] || fail "/etc/bird's mode changed"
getent passwd rhid >/dev/null || fail "purge removed the rhid user (it is kept on purpose)"
echo "purged; kept by design: the rhid user and group"

step "the rpm's scriptlets, run by sh as rpm runs them: %post (install), then %preun and %postun (erase)"
# The package's files that %post reads, as the .rpm installs them (the .deb is purged by now).
install -D -m 0644 packaging/target/root/usr/share/rhid/bird-empty.conf /usr/share/rhid/bird-empty.conf
made_share=yes
sh packaging/src/rpm/post.sh 1
expect_stat /var/lib/rhid '%a %U:%G' '750 rhid:rhid'
cmp /etc/rhid/bird/rhid.conf /usr/share/rhid/bird-empty.conf || fail "%post did not write /etc/rhid/bird/rhid.conf"
rm -r /usr/share/rhid
made_share=
[ "$(stat -c %a /etc/bird 2>/dev/null || echo none)" = "$bird_mode_before" ] || fail "%post changed /etc/bird's mode"
sh packaging/src/rpm/preun.sh 0
# Fedora's BIRD config, /etc/bird.conf, includes the file: erase keeps it and says so.
if [ ! -e /etc/bird.conf ]; then
    made_fedora_conf=yes
    echo 'include "/etc/rhid/bird/rhid.conf";' >/etc/bird.conf
    mkdir -p /etc/rhid/bird
    cp packaging/target/root/usr/share/rhid/bird-empty.conf /etc/rhid/bird/rhid.conf
    out=$(sh packaging/src/rpm/postun.sh 0 2>&1)
    echo "$out"
    rm -f /etc/bird.conf
    made_fedora_conf=
    [ -f /etc/rhid/bird/rhid.conf ] || fail "%postun removed /etc/rhid/bird/rhid.conf while /etc/bird.conf includes it"
    case "$out" in *"kept /etc/rhid/bird/rhid.conf"*) ;; *) fail "%postun did not say it kept the include file" ;; esac
    rm -f /etc/rhid/bird/rhid.conf
    rmdir /etc/rhid/bird /etc/rhid
else
    sh packaging/src/rpm/postun.sh 0
fi
[ ! -e /var/lib/rhid ] || fail "%postun on erase left /var/lib/rhid"
[ ! -e /etc/rhid ] || fail "%postun on erase left /etc/rhid: $(ls -lR /etc/rhid)"
[ "$(checksum_config)" = "$before" ] || fail "BIRD's or FRR's config changed"
[ "$(stat -c %a /etc/bird 2>/dev/null || echo none)" = "$bird_mode_before" ] || fail "/etc/bird's mode changed"

step "ok in $(( $(date +%s) - started )) s"
