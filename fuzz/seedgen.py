#!/usr/bin/env python3
"""seedgen.py OUT DNSDIR - seeds for the byte-coded harnesses (the input
formats are documented at the top of fuzz_tcp6.c, fuzz_ipfrag.c and
fuzz_dnssec.c).  dnssec seeds are real RRSIG/DNSKEY/DS/RRset combinations
found in the DNS messages of DNSDIR; tcp6 and ipfrag seeds are
hand-written scenarios.  Deterministic: the same inputs give the same files."""
import hashlib
import os
import struct
import sys

OUT, DNSDIR = sys.argv[1], sys.argv[2]


def save(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- dnssec -------------------------------------------------------------

def read_name(msg, off):
    """Uncompressed wire form of the name at off, and the offset after it."""
    out, end, hops = b"", None, 0
    while True:
        if off >= len(msg):
            raise ValueError
        n = msg[off]
        if n & 0xC0 == 0xC0:
            if off + 1 >= len(msg) or hops > 64:
                raise ValueError
            if end is None:
                end = off + 2
            off = (n & 0x3F) << 8 | msg[off + 1]
            hops += 1
            continue
        if n & 0xC0:
            raise ValueError
        out += msg[off:off + 1 + n]
        off += 1 + n
        if n == 0:
            return out, (end if end is not None else off)


def canon_rdata(msg, t, off, rdlen):
    """Rdata with embedded names decompressed (for the RRset chunks)."""
    rd = msg[off:off + rdlen]
    if t in (2, 5, 12, 39):
        return read_name(msg, off)[0]
    if t == 15:
        return rd[:2] + read_name(msg, off + 2)[0]
    if t == 33:
        return rd[:6] + read_name(msg, off + 6)[0]
    if t == 6:
        a, o = read_name(msg, off)
        b, o = read_name(msg, o)
        return a + b + msg[o:o + 20]
    return rd


def parse(msg):
    if len(msg) < 12:
        raise ValueError
    qd, an, ns, ar = struct.unpack(">HHHH", msg[4:12])
    off = 12
    for _ in range(qd):
        _, off = read_name(msg, off)
        off += 4
    rrs = []
    for _ in range(an + ns + ar):
        owner, off = read_name(msg, off)
        t, c, ttl, rdlen = struct.unpack(">HHIH", msg[off:off + 10])
        off += 10
        if off + rdlen > len(msg):
            raise ValueError
        rrs.append((owner.lower(), t, c, msg[off:off + rdlen], canon_rdata(msg, t, off, rdlen)))
        off += rdlen
    return rrs


def chunk(b):
    return struct.pack(">H", len(b)) + b


keys, dss, sigs = {}, {}, []
for fn in sorted(os.listdir(DNSDIR)):
    try:
        rrs = parse(open(os.path.join(DNSDIR, fn), "rb").read())
    except (ValueError, struct.error, IndexError):
        continue
    for owner, t, c, raw, can in rrs:
        if t == 48:
            keys.setdefault(owner, []).append(raw)
        elif t == 43:
            dss.setdefault(owner, []).append(raw)
        elif t == 46 and len(raw) > 18:
            covered = struct.unpack(">H", raw[:2])[0]
            rset = [r[4] for r in rrs if r[0] == owner and r[1] == covered]
            if rset:
                try:
                    signer = read_name(raw, 18)[0].lower()
                except ValueError:
                    continue
                sigs.append((owner, signer, raw, rset))

seen, made = set(), 0
for owner, signer, raw, rset in sigs:
    for key in keys.get(signer, [])[:4]:
        ds = (dss.get(signer) or [b"\x00\x00\x08\x02" + bytes(32)])[0]
        # flags: key owner = signer, now = middle of the window.
        body = (bytes([0x05]) + bytes(4) + chunk(owner) + chunk(key) + chunk(raw) +
                chunk(ds) + b"".join(chunk(r) for r in rset[:32]))
        h = hashlib.sha1(body).hexdigest()
        if h in seen:
            continue
        seen.add(h)
        save("dnssec", h, body)
        made += 1
        if made >= 400:
            break
    if made >= 400:
        break
# One hand-made input per algorithm, so each code path has a seed even when
# the captures lack it.
for alg, klen, slen in ((5, 132, 128), (8, 260, 256), (10, 260, 256), (13, 64, 64),
                        (14, 96, 96), (15, 32, 64), (16, 57, 114)):
    key = struct.pack(">HBB", 257, 3, alg) + (b"\x03\x01\x00\x01" + bytes(klen - 4) if alg in (5, 8, 10) else bytes(klen))
    sig = (struct.pack(">HBBIIIH", 1, alg, 2, 3600, 1800000000, 1700000000, 0) +
           b"\x07example\x03com\x00" + bytes(slen))
    body = (bytes([0x05]) + bytes(4) + chunk(b"\x07example\x03com\x00") + chunk(key) +
            chunk(sig) + chunk(b"\x00\x00" + bytes([alg, 2]) + bytes(32)) + chunk(b"\xc0\x00\x02\x01"))
    save("dnssec", "alg%d" % alg, body)

# ---- tcp6 ---------------------------------------------------------------
Q = b"\x00\x1d\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03com\x00\x00\x01\x00\x01"


def seg(conn, dirn, flags, delta, payload=None, synth=0, expire=False, jump=False):
    op = conn | dirn << 2 | 0x20 | (0x10 if expire else 0) | (0x40 if jump else 0)
    if payload is not None:
        op |= 0x80
        n = len(payload)
    else:
        n = synth
        payload = b""
    return bytes([op, flags]) + struct.pack(">h", delta) + b"\x01" + bytes([n]) + payload


def seg_abs(conn, dirn, flags, seq, n):
    return bytes([conn | dirn << 2 | 0x28, flags]) + struct.pack(">I", seq) + b"\x01" + bytes([n])


SYN, ACK, FIN, RST, PSH = 0x02, 0x10, 0x01, 0x04, 0x08
hs = seg(0, 0, SYN, -1) + seg(0, 1, SYN | ACK, -1) + seg(0, 0, ACK, 0)
tcp = {
    "handshake-query-answer": hs + seg(0, 0, PSH | ACK, 0, Q) + seg(0, 1, PSH | ACK, 0, Q)
    + seg(0, 0, FIN | ACK, 0) + seg(0, 1, FIN | ACK, 0) + seg(0, 0, ACK, 0),
    "split-prefix": hs + seg(0, 0, ACK, 0, Q[:1]) + seg(0, 0, ACK, 0, Q[1:]),
    "out-of-order": hs + seg(0, 0, ACK, 10, Q[10:]) + seg(0, 0, ACK, -31, Q[:10]),
    "retransmit-overlap": hs + seg(0, 0, ACK, 0, Q[:20]) + seg(0, 0, ACK, -20, Q),
    "hole-never-filled": hs + seg(0, 0, ACK, 5, Q[5:]) + seg(0, 0, RST, 0),
    "midstream": bytes([0x01]) + seg(1, 0, ACK, 0, Q + Q) + seg(1, 1, ACK, 0, Q),
    "wraparound": bytes([0x0f]) + seg_abs(1, 0, SYN, 0xffffffe0, 0) + seg(1, 1, SYN | ACK, -1)
    + seg(1, 0, ACK, 0, Q) + seg(1, 0, ACK, 0, Q) + seg(1, 0, ACK, 0, synth=200),
    "fastopen-syn-data": bytes([0x0e]) + seg(2, 0, SYN, -1, Q) + seg(2, 1, SYN | ACK, -1, Q),
    "many-streams-evict": bytes([0x00]) + b"".join(seg(c, 0, SYN, -1) + seg(c, 0, ACK, 0, synth=40)
                                                    for c in range(4)),
    "expire": bytes([0x80]) + hs + seg(0, 0, ACK, 0, Q[:9]) + seg(0, 0, ACK, 0, synth=0, expire=True, jump=True),
}
for name, body in tcp.items():
    if name not in ("midstream", "wraparound", "fastopen-syn-data", "many-streams-evict", "expire"):
        body = bytes([0x3e]) + body
    save("tcp6", name, body)

# ---- ipfrag ------------------------------------------------------------


def frag(train, more, off, n, data=None, expire=False, jump=False, nh_tcp=False):
    op = train | (4 if more else 0) | (8 if expire else 0) | (0x10 if jump else 0) | (0x40 if nh_tcp else 0)
    if data is not None:
        op |= 0x20
        n = len(data)
    return bytes([op]) + struct.pack(">HH", off, n) + (data or b"")


CFG = bytes([0x7f])
ip6 = {
    "in-order": CFG + frag(0, 1, 0, 16) + frag(0, 1, 16, 16) + frag(0, 0, 32, 5),
    "reversed": CFG + frag(0, 0, 32, 5) + frag(0, 1, 16, 16) + frag(0, 1, 0, 16),
    "overlap": CFG + frag(0, 1, 0, 24) + frag(0, 1, 16, 16) + frag(0, 0, 32, 5),
    "duplicate": CFG + frag(1, 1, 0, 16) + frag(1, 1, 0, 16) + frag(1, 0, 16, 3),
    "atomic": CFG + frag(2, 0, 0, 40),
    "two-ends": CFG + frag(0, 0, 32, 5) + frag(0, 0, 40, 5),
    "interleaved": CFG + frag(0, 1, 0, 16) + frag(1, 1, 0, 16) + frag(1, 0, 16, 2) + frag(0, 0, 16, 9),
    "expired": CFG + frag(3, 1, 0, 16) + frag(3, 1, 16, 16, expire=True, jump=True),
    "max-size": CFG + frag(0, 1, 0, 2048) + frag(0, 0, 65528, 16),
    "byte-limit": bytes([0xff]) + frag(0, 1, 0, 1024) + frag(1, 1, 0, 512) + frag(1, 0, 512, 8),
    "tcp": CFG + frag(0, 1, 0, 8, nh_tcp=True) + frag(0, 0, 8, 12, nh_tcp=True),
}
for name, body in ip6.items():
    save("ipfrag", name, body)
print("seedgen: %d dnssec (from %d signatures, %d key owners), %d tcp6, %d ipfrag"
      % (made, len(sigs), len(keys), len(tcp), len(ip6)))
