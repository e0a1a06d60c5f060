#!/usr/bin/env bash
# Installs the built .deb on this machine and proves it works as installed:
#   1. apt-get install ./packaging/target/rhid_VERSION_all.deb (pulls its dependencies);
#   2. files, modes, conffile, the rhid user and its groups, /var/lib/rhid, BIRD's include file;
#   3. as the rhid user: rhid --version, rhid check-config on the installed config;
#   4. as the rhid user, against a BIRD running as Debian runs it (bird:bird): rhid run announces,
#      SIGTERM withdraws, and after a kill -9 "rhid withdraw-all" (the unit's ExecStopPost) does;
#   5. systemd-analyze verify on the installed unit;
#   6. BirdIT's "withdraws when the service dies and announces again when it returns" with the
#      installed /usr/bin/rhid (-Drhid.launcher=/usr/bin/rhid);
#   7. remove, reinstall (the upgrade path of the scripts), purge: nothing of rhid's is left but the
#      rhid user and /etc/bird/rhid.conf (bird.conf may include it), and bird.conf and FRR's
#      config are untouched;
#   8. the rpm's %post, %preun and %postun (erase) scriptlets, run by sh on this machine.
# It changes the machine (packages, a system user, /etc/bird's mode until purge), so it runs only
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
remove_include=no
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
    # The machine had no /etc/bird/rhid.conf before: remove the one the package made (purge keeps it).
    if [ "$remove_include" = yes ]; then
        rm -f /etc/bird/rhid.conf
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
if [ -e /etc/bird/rhid.conf ]; then
    fail "/etc/bird/rhid.conf exists before the install; this test wants a machine without rhid"
fi
remove_include=yes

step "install $deb"
apt-get install -y -q --no-install-recommends "./$deb"
dpkg-query -W -f='${Package} ${Version} ${Status}\n' rhid
[ "$(dpkg-query -W -f='${Status}' rhid)" = "install ok installed" ] || fail "rhid is not installed"

step "files, modes, conffile"
expect_stat /usr/bin/rhid '%a %U:%G' '755 root:root'
expect_stat /etc/rhid/rhid.yaml '%a %U:%G' '644 root:root'
expect_stat /lib/systemd/system/rhid.service '%a %U:%G' '644 root:root'
ls /usr/share/rhid/lib/rhid-agent-"$version".jar >/dev/null
for f in /usr/share/rhid/lib/*.jar; do expect_stat "$f" '%a' 644; done
for f in copyright README.md bird.conf.example frr.conf.example examples/rhid.yaml examples/frr.yaml examples/minimal.yaml; do
    [ -f "/usr/share/doc/rhid/$f" ] || fail "/usr/share/doc/rhid/$f missing"
done
dpkg-query -W -f='${Conffiles}\n' rhid | grep -q '^ /etc/rhid/rhid.yaml ' || fail "/etc/rhid/rhid.yaml is not a conffile"

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
if [ -d /etc/bird ] && command -v bird >/dev/null; then
    expect_stat /etc/bird/rhid.conf '%a %U:%G' '640 rhid:bird'
    cmp /etc/bird/rhid.conf /usr/share/rhid/bird-empty.conf || fail "/etc/bird/rhid.conf is not the empty include file"
    expect_stat /etc/bird '%a %U:%G' '1770 bird:bird'
    # The include file as installed and the documented bird.conf parse together.
    bird -p -c /usr/share/doc/rhid/bird.conf.example
    echo "bird -p accepts /usr/share/doc/rhid/bird.conf.example with the installed /etc/bird/rhid.conf"
fi

step "as the rhid user: --version and check-config on the installed config"
out=$("${as_rhid[@]}" /usr/bin/rhid --version)
echo "$out"
[ "$out" = "rhid $version" ] || fail "rhid --version printed '$out'"
"${as_rhid[@]}" /usr/bin/rhid check-config -c /etc/rhid/rhid.yaml

if command -v bird >/dev/null && [ -d /etc/bird ] && getent group bird >/dev/null; then
    step "as the rhid user, against BIRD running as bird:bird: announce, withdraw on SIGTERM, withdraw-all after kill -9"
    # A BIRD with no BGP and no kernel protocol: rhid's routes stay in BIRD's own table.
    cat >"$work/bird.conf" <<EOF
router id 192.0.2.254;
log stderr all;
include "/etc/bird/rhid.conf";
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
    echo "announced: rhid (user rhid, groups $(id -Gn rhid)) replaced /etc/bird/rhid.conf and reconfigured BIRD"
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
    cmp /etc/bird/rhid.conf /usr/share/rhid/bird-empty.conf || fail "/etc/bird/rhid.conf is not empty after withdraw-all"
    expect_stat /etc/bird/rhid.conf '%a %U:%G' '640 rhid:bird'
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

step "purge"
cp /usr/share/rhid/bird-empty.conf "$work/bird-empty.conf"
dpkg -P rhid
left=$(ls -d /usr/bin/rhid /usr/share/rhid /usr/share/doc/rhid /etc/rhid /var/lib/rhid /run/rhid \
    /lib/systemd/system/rhid.service /etc/systemd/system/rhid.service /etc/systemd/system/*/rhid.service \
    /var/lib/systemd/deb-systemd-helper-enabled/rhid.service.dsh-also \
    /var/lib/systemd/deb-systemd-helper-masked/rhid.service 2>/dev/null || true)
[ -z "$left" ] || fail "left after purge: $left"
status=$(dpkg-query -W -f='${Status}' rhid 2>/dev/null || true)
case "$status" in ''|*not-installed) ;; *) fail "dpkg still has rhid: $status" ;; esac
[ "$(checksum_config)" = "$before" ] || fail "BIRD's or FRR's config changed"
[ "$(stat -c %a /etc/bird 2>/dev/null || echo none)" = "$bird_mode_before" ] || fail "/etc/bird's mode is not restored"
if [ -d /etc/bird ]; then
    [ -f /etc/bird/rhid.conf ] || fail "purge removed /etc/bird/rhid.conf, which bird.conf may include"
    cmp /etc/bird/rhid.conf "$work/bird-empty.conf" || fail "the kept /etc/bird/rhid.conf announces something"
    echo "kept by design: /etc/bird/rhid.conf ($(stat -c '%a %U:%G' /etc/bird/rhid.conf), announces nothing), the rhid user and group"
fi
getent passwd rhid >/dev/null || fail "purge removed the rhid user (it is kept on purpose)"

step "the rpm's scriptlets, run by sh as rpm runs them: %post (install), then %preun and %postun (erase)"
sh packaging/src/rpm/post.sh 1
expect_stat /var/lib/rhid '%a %U:%G' '750 rhid:rhid'
[ ! -d /etc/bird ] || expect_stat /etc/bird '%a %U:%G' '1770 bird:bird'
sh packaging/src/rpm/preun.sh 0
sh packaging/src/rpm/postun.sh 0
[ ! -e /var/lib/rhid ] || fail "%postun on erase left /var/lib/rhid"
[ "$(checksum_config)" = "$before" ] || fail "BIRD's or FRR's config changed"
[ "$(stat -c %a /etc/bird 2>/dev/null || echo none)" = "$bird_mode_before" ] || fail "/etc/bird's mode is not restored"

step "ok in $(( $(date +%s) - started )) s"
