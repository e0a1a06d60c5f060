# rhid: rpm %post ($1: 1 install, 2 upgrade). Sets up the rhid user, its state and BIRD's include
# file (/etc/rhid/bird/rhid.conf). Does not enable or start rhid: as installed it has no services;
# the operator edits /etc/rhid/rhid.yaml, then runs "systemctl enable --now rhid".
set -e

# >>> rhid setup (the same block in the deb postinst and the rpm %post; a test compares them)
# Creates the rhid system user, puts it in the routing daemons' groups, creates its state
# directory and BIRD's include file. Idempotent: runs on every install, upgrade and reconfigure.
rhid_setup() {
    # The user as /usr/lib/sysusers.d/rhid.conf declares it; useradd where systemd-sysusers is missing.
    if ! getent passwd rhid >/dev/null && command -v systemd-sysusers >/dev/null 2>&1; then
        systemd-sysusers /usr/lib/sysusers.d/rhid.conf || true
    fi
    if ! getent group rhid >/dev/null; then
        groupadd --system rhid
    fi
    if ! getent passwd rhid >/dev/null; then
        nologin=/usr/sbin/nologin
        [ -x "$nologin" ] || nologin=/sbin/nologin
        useradd --system --gid rhid --home-dir /var/lib/rhid --no-create-home \
            --shell "$nologin" --comment "rhid route health injection" rhid
    fi
    # bird: BIRD's control socket (bird:bird 0660) and the include directory. frrvty: FRR's vty
    # sockets. A routing daemon installed after rhid: run this again (dpkg-reconfigure rhid, or
    # reinstall).
    for group in bird frrvty; do
        if getent group "$group" >/dev/null && ! id -Gn rhid | tr ' ' '\n' | grep -qx "$group"; then
            usermod -a -G "$group" rhid
        fi
    done
    mkdir -p /var/lib/rhid
    chown rhid:rhid /var/lib/rhid
    chmod 0750 /var/lib/rhid
    # State files written by a rhid run as root (by hand, or before the package) would be
    # unreadable for the service: hand them to rhid. Only plain files with a single link, so a
    # link planted in the directory cannot make rhid the owner of another file.
    for f in /var/lib/rhid/* /var/lib/rhid/.[!.]*; do
        if [ -f "$f" ] && [ ! -L "$f" ] && [ "$(stat -c %h "$f")" = 1 ]; then
            chown rhid:rhid "$f"
        fi
    done
    rhid_setup_bird
    # A class-data-sharing archive for short CLI calls (rhid status starts about twice as fast):
    # the launcher maps it while it matches the Java runtime and the jars, so each version makes
    # its own. Running rhid status here only loads the client's classes; without a daemon it
    # exits 69. A failure costs speed, never function.
    mkdir -p /var/cache/rhid
    chmod 0755 /var/cache/rhid
    rm -f /var/cache/rhid/rhid-*.jsa
    RHID_CDS_DIR=/var/cache/rhid RHID_CDS_CREATE=1 /usr/bin/rhid status -c /etc/rhid/rhid.yaml >/dev/null 2>&1 || true
}

# rhid's own include directory, on every distribution (Fedora's bird has /etc/bird.conf and no
# /etc/bird/): owned by rhid, which replaces its file atomically (temp file and rename, so it
# needs the directory), readable by group bird, which BIRD runs as. /etc/bird is left alone.
rhid_setup_bird() {
    group=rhid
    if getent group bird >/dev/null; then
        group=bird
    fi
    mkdir -p /etc/rhid/bird
    chown rhid:"$group" /etc/rhid/bird
    chmod 0750 /etc/rhid/bird
    # The include file as "rhid render --assume down" prints it for a config without services:
    # both static protocols, empty, and rhid_export(). bird.conf can include it before rhid runs.
    if [ ! -e /etc/rhid/bird/rhid.conf ] && [ ! -L /etc/rhid/bird/rhid.conf ]; then
        rm -f /etc/rhid/bird/.rhid.conf.new
        cp /usr/share/rhid/bird-empty.conf /etc/rhid/bird/.rhid.conf.new
        chown rhid:"$group" /etc/rhid/bird/.rhid.conf.new
        chmod 0640 /etc/rhid/bird/.rhid.conf.new
        mv -f /etc/rhid/bird/.rhid.conf.new /etc/rhid/bird/rhid.conf
    elif [ -f /etc/rhid/bird/rhid.conf ] && [ ! -L /etc/rhid/bird/rhid.conf ]; then
        chown rhid:"$group" /etc/rhid/bird/rhid.conf
    else
        echo "rhid: /etc/rhid/bird/rhid.conf is not a regular file; rhid cannot replace it" >&2
    fi
}
# <<< rhid setup

rhid_setup
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
fi
exit 0
