# rhid: rpm %post ($1: 1 install, 2 upgrade). Sets up the rhid user, its state and BIRD's include
# file. Does not enable or start rhid: as installed it has no services; the operator edits
# /etc/rhid/rhid.yaml, then runs "systemctl enable --now rhid".
set -e

# >>> rhid setup (the same block in the deb postinst and the rpm %post; a test compares them)
# Creates the rhid system user, puts it in the routing daemons' groups, creates its state
# directory and BIRD's include file. Idempotent: runs on every install, upgrade and reconfigure.
rhid_setup() {
    if ! getent group rhid >/dev/null; then
        groupadd --system rhid
    fi
    if ! getent passwd rhid >/dev/null; then
        nologin=/usr/sbin/nologin
        [ -x "$nologin" ] || nologin=/sbin/nologin
        useradd --system --gid rhid --home-dir /var/lib/rhid --no-create-home \
            --shell "$nologin" --comment "rhid route health injection" rhid
    fi
    # bird: BIRD's control socket (bird:bird 0660) and /etc/bird. frrvty: FRR's vty sockets.
    # A routing daemon installed after rhid: run this again (dpkg-reconfigure rhid, or reinstall).
    for group in bird frrvty; do
        if getent group "$group" >/dev/null && ! id -Gn rhid | tr ' ' '\n' | grep -qx "$group"; then
            usermod -a -G "$group" rhid
        fi
    done
    mkdir -p /var/lib/rhid
    chown rhid:rhid /var/lib/rhid
    chmod 0750 /var/lib/rhid
    if [ -d /etc/bird ]; then
        rhid_setup_bird
    fi
}

rhid_setup_bird() {
    owner=rhid:rhid
    mode=0644
    if getent group bird >/dev/null; then
        owner=rhid:bird
        mode=0640
    fi
    # The include file as "rhid render --assume down" prints it for a config without services:
    # both static protocols, empty, and rhid_export(). bird.conf can include it before rhid runs.
    if [ ! -e /etc/bird/rhid.conf ] && [ ! -L /etc/bird/rhid.conf ]; then
        rm -f /etc/bird/.rhid.conf.new
        cp /usr/share/rhid/bird-empty.conf /etc/bird/.rhid.conf.new
        chown "$owner" /etc/bird/.rhid.conf.new
        chmod "$mode" /etc/bird/.rhid.conf.new
        mv -f /etc/bird/.rhid.conf.new /etc/bird/rhid.conf
    elif [ -f /etc/bird/rhid.conf ] && [ ! -L /etc/bird/rhid.conf ]; then
        # rhid's file (DESIGN.md): it replaces it by renaming, which the sticky bit below allows
        # only for files rhid owns. The content is left alone.
        chown -h "$owner" /etc/bird/rhid.conf
    else
        echo "rhid: /etc/bird/rhid.conf is not a regular file; rhid cannot replace it" >&2
    fi
    # rhid writes the file atomically: a temp file in /etc/bird renamed over it, which needs write
    # access to the directory. Debian's bird2 makes /etc/bird bird:bird 0750: add group write for
    # rhid (in group bird) and the sticky bit, so that rhid can replace only files it owns (its
    # include file), never bird.conf.
    if [ "$owner" = rhid:bird ] && [ "$(stat -c %G /etc/bird)" = bird ]; then
        chmod g+w,+t /etc/bird
    else
        echo "rhid: give the rhid user write access to /etc/bird (rhid replaces /etc/bird/rhid.conf atomically)" >&2
    fi
}
# <<< rhid setup

rhid_setup
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
fi
exit 0
