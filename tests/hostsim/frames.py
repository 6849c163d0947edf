#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""frames.py COMMAND...: `mirrornet serve` (COMMAND, to which --socket N
--wsl-version 2.8.5 are added) on one end of a socketpair, a 16-byte
host, fed NoOps the ways a stream can cut them: many frames in one write (read ahead past the first: each must still be
answered without more bytes coming), one frame a byte per write, a frame
and the start of the next. Every request must be answered exactly once,
in order. Then SIGTERM with a backlog read ahead: exit 0 within 5 s,
the requests answered until then in order. (The backlog is small: a
host that sends more than the channel holds without reading its replies
would wait on the helper, which waits on its replies.)
Prints one line per problem; exit status 1 if there was any."""
import os
import signal
import socket
import struct
import subprocess
import sys
import time

NOOP = 71
problems = []
host, guest = socket.socketpair()
host.settimeout(5)
proc = subprocess.Popen(sys.argv[1:] + ['--socket', str(guest.fileno()),
                                         '--wsl-version', '2.8.5'],
                        pass_fds=(guest.fileno(),))
guest.close()
next_id = 1
pending = b''


def frames(n, text=b'{}'):
    """n NoOps with the next ids, as bytes."""
    global next_id
    out = b''
    for _ in range(n):
        out += struct.pack('<IIII', NOOP, 16 + len(text) + 1, next_id, 1)
        out += text + b'\0'
        next_id += 1
    return out


def replies(ids, what):
    """The replies to ids, in order, each once."""
    global pending
    got = []
    try:
        while len(got) < len(ids):
            while len(pending) < 20:
                data = host.recv(65536)
                if not data:
                    raise EOFError('the helper closed the channel')
                pending += data
            _, size, rid, step = struct.unpack('<IIII', pending[:16])
            got.append((rid, step, struct.unpack('<i', pending[16:20])[0]))
            pending = pending[size:]
    except (OSError, EOFError) as e:
        problems.append('%s: %s after %d replies of %d' % (what, e, len(got), len(ids)))
        return
    for reply, i in zip(got, ids):
        if reply != (i, 2, 0):
            problems.append('%s: reply (id, step, result) %s, want (%d, 2, 0)'
                            % (what, reply, i))
            return


first = next_id
host.sendall(frames(300))
replies(range(first, next_id), '300 frames in one write')

first = next_id
for b in frames(1, b'{"x": "' + b'y' * 40 + b'"}'):
    host.sendall(bytes([b]))
    time.sleep(0.001)
replies(range(first, next_id), 'one frame a byte per write')

first = next_id
two = frames(2)
host.sendall(two[:len(two) // 2 + 5])
replies(range(first, first + 1), 'a frame and the start of the next')
time.sleep(0.2)
host.sendall(two[len(two) // 2 + 5:])
replies(range(first + 1, next_id), 'the rest of the next')

first = next_id
host.sendall(frames(100))
proc.send_signal(signal.SIGTERM)
try:
    rc = proc.wait(5)
    if rc != 0:
        problems.append('SIGTERM with a backlog: exit status %d' % rc)
except subprocess.TimeoutExpired:
    proc.kill()
    problems.append('SIGTERM with a backlog: still running after 5 s')
host.settimeout(1)
try:
    while True:
        data = host.recv(65536)
        if not data:
            break
        pending += data
except OSError:
    pass
n = len(pending) // 20
if len(pending) % 20:
    problems.append('SIGTERM with a backlog: a reply cut short')
elif n:
    replies(range(first, first + n), 'SIGTERM with a backlog')
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
