#!/usr/bin/env python3
"""Runs a command under the system-call filter of rhid.service, for machines where systemd is not
PID 1 and cannot apply it (test-install.sh, CI containers).

    seccomp-exec.py UNIT -- COMMAND [ARG...]

Reads SystemCallFilter=, SystemCallErrorNumber= and RestrictAddressFamilies= from UNIT, expands
the @groups with "systemd-analyze syscall-filter", loads the same filter with libseccomp (native
architecture only, as SystemCallArchitectures=native; no_new_privs, as NoNewPrivileges=yes) and
execs COMMAND. A call outside the filter fails with the unit's errno; socket() outside the
address families fails with EAFNOSUPPORT, as systemd makes it fail.
"""
import ctypes
import ctypes.util
import errno
import os
import re
import subprocess
import sys

FAMILIES = {"AF_UNIX": 1, "AF_INET": 2, "AF_INET6": 10, "AF_NETLINK": 16, "AF_PACKET": 17}


def unit_settings(path):
    settings = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^(SystemCallFilter|SystemCallErrorNumber|RestrictAddressFamilies)=(.*)$", line.strip())
            if m:
                settings.setdefault(m.group(1), []).append(m.group(2))
    return settings


def expand(names, seen=None):
    """Syscall names of a filter line; @groups expanded by systemd-analyze itself."""
    seen = set() if seen is None else seen
    out = set()
    for name in names:
        if not name.startswith("@"):
            out.add(name)
            continue
        if name in seen:
            continue
        seen.add(name)
        listing = subprocess.run(["systemd-analyze", "syscall-filter", name], check=True,
                                 capture_output=True, text=True).stdout
        members = [l.strip() for l in listing.splitlines()[1:] if l.strip() and not l.strip().startswith("#")]
        out |= expand(members, seen)
    return out


class ArgCmp(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("datum_a", ctypes.c_uint64), ("datum_b", ctypes.c_uint64)]


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit("usage: seccomp-exec.py UNIT -- COMMAND [ARG...]")
    s = unit_settings(sys.argv[1])
    allowed, denied = set(), set()
    for line in s.get("SystemCallFilter", []):
        if line.startswith("~"):
            denied |= expand(line[1:].split())
        else:
            allowed |= expand(line.split())
    allowed -= denied
    if not allowed:
        sys.exit("seccomp-exec.py: " + sys.argv[1] + " has no SystemCallFilter= allow list")
    err = getattr(errno, s.get("SystemCallErrorNumber", ["EPERM"])[-1])
    families = [FAMILIES[f] for line in s.get("RestrictAddressFamilies", []) for f in line.split()]

    lib = ctypes.CDLL(ctypes.util.find_library("seccomp") or "libseccomp.so.2", use_errno=True)
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint, ctypes.POINTER(ArgCmp)]
    lib.seccomp_load.argtypes = [ctypes.c_void_p]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    act_errno = lambda e: 0x00050000 | (e & 0xFFFF)
    allow = 0x7FFF0000
    ctx = lib.seccomp_init(act_errno(err))
    if not ctx:
        sys.exit("seccomp_init failed")
    unknown = 0
    for name in sorted(allowed):
        nr = lib.seccomp_syscall_resolve_name(name.encode())
        if nr < 0:
            unknown += 1  # not a call of this architecture (e.g. arm_fadvise64_64 on x86_64)
            continue
        if name == "socket" and families:
            continue
        if lib.seccomp_rule_add_array(ctx, allow, nr, 0, None) != 0:
            unknown += 1
    if families and "socket" in allowed:
        nr = lib.seccomp_syscall_resolve_name(b"socket")
        # Every other family: EAFNOSUPPORT, as RestrictAddressFamilies= answers.
        for fam in range(0, 64):
            cmp = ArgCmp(0, 4, fam, 0)  # SCMP_CMP_EQ on the first argument
            action = allow if fam in families else act_errno(errno.EAFNOSUPPORT)
            if lib.seccomp_rule_add_array(ctx, action, nr, 1, ctypes.byref(cmp)) != 0:
                sys.exit("seccomp_rule_add socket family %d failed" % fam)
    if lib.seccomp_load(ctx) != 0:
        sys.exit("seccomp_load failed: " + os.strerror(ctypes.get_errno()))
    print("seccomp-exec.py: %d calls allowed (%s), others fail with %s; socket families %s"
          % (len(allowed) - unknown, " ".join(s.get("SystemCallFilter", [])), errno.errorcode[err], families),
          file=sys.stderr, flush=True)
    os.execvp(sys.argv[3], sys.argv[3:])


if __name__ == "__main__":
    main()
