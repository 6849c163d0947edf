#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""DNS clients dig cannot play, for tests/tunnel/run.sh.

  clients.py IP udp-flood   one query, then 4096 more from another socket;
                            after the host's "release" the 4096 are
                            answered and the first is not (its slot was
                            taken)
  clients.py IP tcp-limit   257 connections: the first is closed by the
                            server, the last is answered
  clients.py IP tcp-max     one query of 65535 bytes over TCP is answered
  clients.py IP tcp-split   four queries on one connection: three and the
                            first byte of the fourth's prefix in one write,
                            the rest later; each answered, by its id
  clients.py PATH backoff   a host on the unix socket PATH (vsock-unix.c)
                            that closes every connection at once, but holds
                            the fifth for 10.5 s: the waits before the
                            reconnections are 100, 200, 400, 800 ms, then
                            100 ms again after the long one

Prints what went wrong and exits 1, or exits 0.
"""
import socket
import struct
import sys
import time


def query(name, qid, pad=0):
    q = struct.pack('>HHHHHH', qid, 0x0100, 1, 0, 0, 0)
    for label in name.split('.'):
        q += bytes([len(label)]) + label.encode()
    return q + b'\0' + struct.pack('>HH', 1, 1) + b'\0' * pad


def recv_exact(s, n):
    data = b''
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise EOFError('connection closed')
        data += chunk
    return data


def tcp_ask(s, q):
    s.sendall(struct.pack('>H', len(q)) + q)
    n, = struct.unpack('>H', recv_exact(s, 2))
    return recv_exact(s, n)


def udp_flood(ip):
    first = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    flood = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # SO_RCVBUFFORCE (33): room for every answer, as root
    flood.setsockopt(socket.SOL_SOCKET, 33, 16 << 20)
    first.sendto(query('never.test', 1), (ip, 53))
    time.sleep(0.2)
    for i in range(4096):
        flood.sendto(query('never.test', i), (ip, 53))
        if i % 64 == 63:
            time.sleep(0.01)   # the server's receive buffer is finite
    print('sent', flush=True)
    got = set()
    flood.settimeout(10)
    try:
        while len(got) < 4096:
            got.add(struct.unpack('>H', flood.recv(512)[:2])[0])
    except socket.timeout:
        pass
    first.settimeout(1)
    try:
        first.recv(512)
        late = True
    except socket.timeout:
        late = False
    if len(got) != 4096 or late:
        print(f'{len(got)} of 4096 answered, first answered: {late}')
        return 1
    return 0


def tcp_limit(ip):
    conns = []
    for _ in range(257):
        conns.append(socket.create_connection((ip, 53), timeout=5))
        time.sleep(0.002)
    try:
        if conns[0].recv(1) != b'':
            print('the first connection got data')
            return 1
    except (socket.timeout, ConnectionResetError) as e:
        if isinstance(e, socket.timeout):
            print('the first connection is still open')
            return 1
    ans = tcp_ask(conns[-1], query('last.test', 7))
    if ans[:2] != b'\0\x07':
        print('the last connection got no answer')
        return 1
    return 0


def tcp_max(ip):
    s = socket.create_connection((ip, 53), timeout=5)
    q = query('max.test', 9)
    ans = tcp_ask(s, q + b'\0' * (65535 - len(q)))
    if ans[:2] != b'\0\x09':
        print('no answer to the 65535-byte query')
        return 1
    return 0


def tcp_split(ip):
    s = socket.create_connection((ip, 53), timeout=5)
    want = {0x103: '10.0.0.3', 0x102: '10.0.0.2', 0x101: '10.0.0.1',
            0x200: '192.0.2.1'}
    names = {0x103: 'n3.test', 0x102: 'n2.test', 0x101: 'n1.test',
             0x200: 'split.test'}
    wire = b''
    for qid, name in names.items():
        q = query(name, qid)
        wire += struct.pack('>H', len(q)) + q
    cut = len(wire) - len(query('split.test', 0)) - 1
    s.sendall(wire[:cut])
    time.sleep(0.2)
    s.sendall(wire[cut:])
    got = {}
    for _ in want:
        n, = struct.unpack('>H', recv_exact(s, 2))
        ans = recv_exact(s, n)
        got[struct.unpack('>H', ans[:2])[0]] = socket.inet_ntoa(ans[-4:])
    if got != want:
        print('answers by id:', got)
        return 1
    return 0


def backoff(path):
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(8)
    listener.settimeout(20)
    accepted, closed = [], []
    for i in range(6):
        conn, _ = listener.accept()
        accepted.append(time.monotonic())
        if i == 4:
            time.sleep(10.5)
        conn.close()
        closed.append(time.monotonic())
    listener.close()
    gaps = [round((a - c) * 1000) for c, a in zip(closed, accepted[1:])]
    print('waits (ms):', *gaps)
    for gap, want in zip(gaps, [100, 200, 400, 800, 100]):
        # no shorter than the backoff; a loaded machine may add to it
        if not want <= gap <= 2 * want + 300:
            print(f'a wait of {gap} ms, want {want}')
            return 1
    return 0


if __name__ == '__main__':
    sys.exit({'udp-flood': udp_flood, 'tcp-limit': tcp_limit,
              'tcp-max': tcp_max, 'tcp-split': tcp_split,
              'backoff': backoff}[sys.argv[2]](sys.argv[1]))
