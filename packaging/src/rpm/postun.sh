# rhid: rpm %postun ($1: 0 erase, 1 upgrade). Upgrade restarts a running rhid. Erase removes what the
# package and rhid created, as a Debian purge does: rhid's state files, the include directory
# /etc/rhid/bird (kept while BIRD's config includes it); it keeps the rhid user and group and never
# touches the operator's BIRD or FRR config.
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
    if [ "$1" -ge 1 ]; then
        systemctl try-restart rhid.service >/dev/null 2>&1 || :
    fi
fi
if [ "$1" -eq 0 ]; then
    # The class-data-sharing archives the scripts made (the launcher makes none by itself).
    rm -f /var/cache/rhid/rhid-*.jsa
    rmdir /var/cache/rhid 2>/dev/null || true
    # rhid's state: the files rhid wrote in /var/lib/rhid (owned by rhid; the scripts hand it those
    # a root-run rhid left), then the directory if nothing else is in it.
    if [ -d /var/lib/rhid ]; then
        find /var/lib/rhid -mindepth 1 -maxdepth 1 -type f -user rhid -exec rm -f {} +
        rmdir /var/lib/rhid 2>/dev/null || echo "rhid: kept /var/lib/rhid: it holds files rhid did not write" >&2
    fi
    # The include directory the scripts made, unless BIRD's config still includes the file: BIRD would
    # refuse a config whose include is missing. (When systemd ran rhid, the file announces nothing:
    # ExecStopPost rewrote it on removal.)
    if [ -d /etc/rhid/bird ]; then
        if grep -qsF /etc/rhid/bird/rhid.conf /etc/bird/bird.conf /etc/bird.conf; then
            echo "rhid: kept /etc/rhid/bird/rhid.conf, which BIRD's config includes; remove the include line, then the directory" >&2
        else
            rm -f /etc/rhid/bird/rhid.conf /etc/rhid/bird/.rhid.conf.new /etc/rhid/bird/.rhid.conf.*.tmp
            rmdir /etc/rhid/bird 2>/dev/null || echo "rhid: kept /etc/rhid/bird: it holds files rhid did not write" >&2
            rmdir /etc/rhid 2>/dev/null || true
        fi
    fi
    # Earlier builds of the package made /etc/bird group-writable with the sticky bit: back to bird2's mode.
    if [ -d /etc/bird ] && [ "$(stat -c %a /etc/bird)" = 1770 ]; then
        chmod 0750 /etc/bird
    fi
fi
exit 0
