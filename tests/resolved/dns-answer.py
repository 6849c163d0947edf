#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# dns-answer.py ADDR IPV4: a DNS server on ADDR port 53 (UDP) that answers
# every A query with IPV4 (TTL 0) and anything else with no records; it
# prints "ready" once bound, then each name asked.
import socket
import struct
import sys

addr, answer = sys.argv[1], socket.inet_aton(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((addr, 53))
print("ready", flush=True)
while True:
    q, peer = s.recvfrom(4096)
    ident, flags = struct.unpack("!HH", q[:4])
    i, labels = 12, []
    while q[i]:
        labels.append(q[i + 1:i + 1 + q[i]].decode(errors="replace"))
        i += 1 + q[i]
    qtype = struct.unpack("!H", q[i + 1:i + 3])[0]
    question = q[12:i + 5]
    print(".".join(labels), qtype, flush=True)
    rr = b""
    if qtype == 1:
        rr = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 0, 4) + answer
    head = struct.pack("!HHHHHH", ident, 0x8180 | (flags & 0x0100), 1,
                       1 if rr else 0, 0, 0)
    s.sendto(head + question + rr, peer)
