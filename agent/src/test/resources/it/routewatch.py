# Prints route additions and deletions of the namespace it runs in, one line per route, as
# `ip monitor route` does ("2001:db8::53 ..." / "Deleted 2001:db8::53 ..."), flushing each line.
# Unlike ip monitor it forces a 64 MiB receive buffer (SO_RCVBUFFORCE, root only), so a burst of
# thousands of route changes from BIRD's kernel protocol does not overflow the netlink socket.
import ipaddress
import socket
import struct
import sys

RTMGRP_IPV4_ROUTE = 0x40
RTMGRP_IPV6_ROUTE = 0x400
RTM_NEWROUTE, RTM_DELROUTE = 24, 25
RTA_DST = 1
SO_RCVBUFFORCE = 33

s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 64 << 20)
s.bind((0, RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE))
out = sys.stdout
print("ready", flush=True)
while True:
    try:
        data = s.recv(1 << 20)
    except OSError as e:
        print("error %s" % e, flush=True)
        continue
    lines = []
    offset = 0
    while offset + 16 <= len(data):
        length, kind = struct.unpack_from("=IH", data, offset)
        if length < 16:
            break
        if kind in (RTM_NEWROUTE, RTM_DELROUTE):
            family, dst_len = struct.unpack_from("=BB", data, offset + 16)
            attr = offset + 16 + 12
            dst = None
            while attr + 4 <= offset + length:
                alen, atype = struct.unpack_from("=HH", data, attr)
                if alen < 4:
                    break
                if atype == RTA_DST:
                    dst = data[attr + 4:attr + alen]
                attr += (alen + 3) & ~3
            if dst is not None and family in (socket.AF_INET, socket.AF_INET6):
                address = ipaddress.ip_address(dst)
                text = str(address) if dst_len == address.max_prefixlen else "%s/%d" % (address, dst_len)
                lines.append(("Deleted " if kind == RTM_DELROUTE else "") + text)
        offset += (length + 3) & ~3
    if lines:
        out.write("\n".join(lines) + "\n")
        out.flush()
