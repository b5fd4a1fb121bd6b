#!/usr/bin/env python3
"""DNS-over-TCP writer for ipv4-tcp-coalesced.pcap (run by make.sh).

Not a DNS client to rely on: it only puts DNS messages on a TCP connection
with chosen segment boundaries, which no Debian DNS client does on demand:
  connection 1: three queries written at once (one segment, three messages)
  connection 2: a 2-byte length prefix alone in a segment, then its message;
                then a message split in the middle of its DNS header.
Answers come from the real server (NSD) and are read back completely.
"""
import socket
import struct
import sys
import time


def query(name, qtype, qid):
    hdr = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    qname = b"".join(bytes([len(l)]) + l.encode() for l in name.rstrip(".").split(".")) + b"\0"
    return hdr + qname + struct.pack(">HH", qtype, 1)


def framed(msg):
    return struct.pack(">H", len(msg)) + msg


def read_answers(sock, count):
    buf = b""
    ids = []
    sock.settimeout(5)
    while len(ids) < count:
        while len(buf) < 2 or len(buf) < 2 + struct.unpack(">H", buf[:2])[0]:
            chunk = sock.recv(65536)
            if not chunk:
                raise SystemExit("connection closed early")
            buf += chunk
        n = struct.unpack(">H", buf[:2])[0]
        ids.append(struct.unpack(">H", buf[2:4])[0])
        buf = buf[2 + n:]
    return ids


def connect(srv):
    fam = socket.AF_INET6 if ":" in srv else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.connect((srv, 53))
    return s


def main():
    srv = sys.argv[1]
    s = connect(srv)
    s.sendall(framed(query("a.lab", 1, 0x1001)) + framed(query("big.lab", 16, 0x1002))
              + framed(query("nx.lab", 1, 0x1003)))
    print("conn1", [hex(i) for i in read_answers(s, 3)])
    s.close()

    s = connect(srv)
    m = query("www.lab", 1, 0x2001)
    s.sendall(struct.pack(">H", len(m)))
    time.sleep(0.05)
    s.sendall(m)
    print("conn2a", [hex(i) for i in read_answers(s, 1)])
    f = framed(query("mail.lab", 15, 0x2002))
    s.sendall(f[:7])
    time.sleep(0.05)
    s.sendall(f[7:])
    print("conn2b", [hex(i) for i in read_answers(s, 1)])
    s.close()


main()
