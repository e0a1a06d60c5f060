# rhid: rpm %preun ($1: 0 erase, 1 upgrade). Erase stops and disables rhid; its ExecStopPost
# ("rhid withdraw-all") withdraws everything it announced. An upgrade leaves it running: %postun
# restarts it.
if [ "$1" -eq 0 ] && [ -d /run/systemd/system ]; then
    systemctl --no-reload disable --now rhid.service >/dev/null 2>&1 || :
fi
exit 0
