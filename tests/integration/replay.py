#!/usr/bin/env python3
"""Replays the frames of a classic pcap file (Ethernet link type) onto an
interface with an AF_PACKET socket, paced at RATE frames a second, so that a
live capture on that interface sees them.  Run it inside a network
namespace made for the test (packets sent on its loopback never leave it).

    replay.py FILE IFACE [RATE]
"""
import socket
import struct
import sys
import time


def frames(path):
    with open(path, "rb") as f:
        head = f.read(24)
        magic = struct.unpack("<I", head[:4])[0]
        if magic in (0xA1B2C3D4, 0xA1B23C4D):
            end = "<"
        elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
            end = ">"
        else:
            sys.exit("replay.py: %s is not a classic pcap file" % path)
        if struct.unpack(end + "I", head[20:24])[0] != 1:
            sys.exit("replay.py: %s is not Ethernet (link type 1)" % path)
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            _, _, caplen, _ = struct.unpack(end + "IIII", rec)
            data = f.read(caplen)
            if len(data) < caplen:
                return
            yield data


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    path, iface = sys.argv[1], sys.argv[2]
    rate = float(sys.argv[3]) if len(sys.argv) > 3 else 2000.0
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    start = time.monotonic()
    n = 0
    for fr in frames(path):
        due = start + n / rate
        now = time.monotonic()
        if due > now:
            time.sleep(due - now)
        s.send(fr)
        n += 1
    print("replay.py: %d frames in %.1f s" % (n, time.monotonic() - start))


if __name__ == "__main__":
    main()
