# rhid: rpm %postun ($1: 0 erase, 1 upgrade). Upgrade restarts a running rhid. Erase removes rhid's
# state (/var/lib/rhid) as a Debian purge does; it keeps the rhid user and group and never
# touches the operator's BIRD or FRR config: /etc/bird/rhid.conf stays, because bird.conf includes
# it and BIRD would refuse a config whose include is missing.
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
    if [ "$1" -ge 1 ]; then
        systemctl try-restart rhid.service >/dev/null 2>&1 || :
    fi
fi
if [ "$1" -eq 0 ]; then
    rm -rf /var/lib/rhid
    if [ -d /etc/bird ] && [ "$(stat -c %a /etc/bird)" = 1770 ]; then
        chmod 0750 /etc/bird
    fi
    if [ -e /etc/bird/rhid.conf ]; then
        echo "rhid: kept /etc/bird/rhid.conf, which bird.conf may include; remove the include line, then the file" >&2
    fi
fi
exit 0
