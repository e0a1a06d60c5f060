#!/bin/sh
# Runs a command as rhid.service would run it, on a machine where systemd is not PID 1 (so neither
# systemd-run nor the unit itself can apply the sandbox): test-install.sh runs the installed rhid
# under it. As root:
#
#   run-sandboxed.sh UNIT SCRATCH -- COMMAND [ARG...]
#
# SCRATCH: an empty directory this script may use (outside ReadWritePaths). RHID_SANDBOX_TMP_KEEP:
# directories under /tmp to keep visible in the private /tmp (a test's config and sockets). What
# the unit sets and
# this reproduces, in a private mount namespace, then exec'ing COMMAND in the same process (so
# its PID is COMMAND's, and signals reach it):
#   User=rhid with its groups, AmbientCapabilities/CapabilityBoundingSet=CAP_NET_ADMIN,
#   NoNewPrivileges, UMask=0027, ProtectSystem=strict with ReadWritePaths (and the state and
#   runtime directories), ProtectHome, PrivateTmp (exec checks write their output there),
#   PrivateDevices (null, zero, full, random, urandom, tty),
#   ProtectKernelTunables (/proc/sys, /sys read-only), and SystemCallFilter,
#   SystemCallErrorNumber, SystemCallArchitectures=native and RestrictAddressFamilies through
#   seccomp-exec.py.
# Not reproduced: ProtectClock, ProtectHostname,
# ProtectKernelModules/Logs, ProtectControlGroups, RestrictNamespaces, RestrictRealtime,
# LockPersonality, RemoveIPC, PrivateMounts: each removes something rhid does not use.
set -eu
unit=$1
scratch=$2
[ "$3" = -- ] || { echo "usage: run-sandboxed.sh UNIT SCRATCH -- COMMAND [ARG...]" >&2; exit 64; }
shift 3
here=$(dirname "$(readlink -f "$0")")
user=${RHID_SANDBOX_USER:-rhid}    # another user only to try the script where rhid does not exist

# The seccomp helper runs inside the private /tmp, where this checkout may not be visible (a CI
# clone under /tmp): it runs from a copy in SCRATCH, which the caller keeps visible.
cp "$here/seccomp-exec.py" "$scratch/seccomp-exec.py"
chmod 0644 "$scratch/seccomp-exec.py"
rw=$(sed -n 's/^ReadWritePaths=//p' "$unit" | tr ' ' '\n' | sed 's/^-//')
rw="$rw /var/lib/rhid /run/rhid"
mkdir -p /run/rhid
chown "$user:$(id -gn "$user")" /run/rhid

exec unshare --mount --propagation private -- sh -eu -c '
    unit=$1 scratch=$2 rw=$3 here=$4 user=$5 keep=$6
    shift 6
    for p in $rw; do
        if [ -d "$p" ]; then mount --bind "$p" "$p"; fi
    done
    # PrivateDevices: a /dev of its own with only the pseudo devices.
    mkdir -p "$scratch/dev"
    mount --rbind /dev "$scratch/dev"
    mount -t tmpfs -o mode=0755,nosuid,noexec tmpfs /dev
    for d in null zero full random urandom tty; do
        touch "/dev/$d"
        mount --bind "$scratch/dev/$d" "/dev/$d"
    done
    mkdir /dev/shm /dev/pts
    mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm
    ln -s /proc/self/fd /dev/fd
    ln -s /proc/self/fd/0 /dev/stdin
    ln -s /proc/self/fd/1 /dev/stdout
    ln -s /proc/self/fd/2 /dev/stderr
    umount -l "$scratch/dev"
    # PrivateTmp: an empty /tmp and /var/tmp, but for the directories to keep.
    mkdir -p "$scratch/tmp"
    chmod 1777 "$scratch/tmp"
    for k in $keep; do
        mkdir -p "$scratch/tmp${k#/tmp}"
        mount --bind "$k" "$scratch/tmp${k#/tmp}"
    done
    mount --rbind "$scratch/tmp" /tmp
    mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /var/tmp
    # ProtectSystem=strict: the root mount read-only; ReadWritePaths stay writable (bound above).
    mount -o remount,bind,ro /
    # ProtectKernelTunables.
    mount --bind /proc/sys /proc/sys
    mount -o remount,bind,ro /proc/sys
    mount --bind /sys /sys
    mount -o remount,bind,ro /sys
    # ProtectHome.
    for h in /home /root /run/user; do
        if [ -d "$h" ]; then mount -t tmpfs -o ro,mode=0755 tmpfs "$h"; fi
    done
    umask 0027
    exec setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups \
        --inh-caps=-all,+net_admin --ambient-caps=-all,+net_admin --bounding-set=-all,+net_admin \
        --no-new-privs -- /usr/bin/python3 "$scratch/seccomp-exec.py" "$unit" -- "$@"
 ' run-sandboxed "$unit" "$scratch" "$rw" "$here" "$user" "${RHID_SANDBOX_TMP_KEEP:-}" "$@"
