"""Owns how the bench scripts talk to startd's control socket: a request frame (4-byte big-endian
length, then the JSON request of docs/protocol.md), one request on a fresh connection with its
latency, and splitting the replies of a pipelined connection. Not here: what a script asks or
measures (soak.py, trust_bench.py).
"""
import json
import socket
import struct
import time

LENGTH = struct.Struct(">I")


def frame(obj):
    """One frame carrying `obj` as JSON."""
    payload = json.dumps(obj).encode()
    return LENGTH.pack(len(payload)) + payload


def request_frame(request_id, cmd, args):
    """The frame of request `request_id`: `cmd` with `args` (a dict)."""
    return frame({"v": 1, "id": request_id, "cmd": cmd, "args": args})


def take_payloads(buf):
    """(the complete frames' payloads at the start of `buf`, the bytes left over)."""
    payloads = []
    while len(buf) >= LENGTH.size:
        (size,) = LENGTH.unpack(buf[:LENGTH.size])
        if len(buf) < LENGTH.size + size:
            break
        payloads.append(buf[LENGTH.size:LENGTH.size + size])
        buf = buf[LENGTH.size + size:]
    return payloads, buf


def exchange(path, cmd, args, timeout):
    """(seconds, reply payload) of one request on a fresh connection; (None, b"") when it fails or
    passes `timeout`."""
    begun = time.monotonic()
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(path)
            s.sendall(request_frame(1, cmd, args))
            got = b""
            while True:
                payloads, _ = take_payloads(got)
                if payloads:
                    return time.monotonic() - begun, payloads[0]
                data = s.recv(65536)
                if not data:
                    return None, b""
                got += data
    except OSError:
        return None, b""


def request(path, cmd, args, timeout):
    """Seconds for one request on a fresh connection, or None when it fails or passes `timeout`."""
    took, _ = exchange(path, cmd, args, timeout)
    return took
