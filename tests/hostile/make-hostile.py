#!/usr/bin/env python3
"""Writes the crafted hostile captures of pcaps/hostile/ (see NOTES.md there).

Python 3 standard library only; every byte is built here by hand, timestamps
are fixed, so the output is the same on every run:
    python3 tests/hostile/make-hostile.py [OUTDIR]      (default pcaps/hostile)
snaplen96-resolver-mixed.pcap is not written here: it is
    editcap -s 96 pcaps/sample/resolver-mixed.pcap pcaps/hostile/snaplen96-resolver-mixed.pcap
"""
import os
import struct
import sys

T0 = 1767225600  # 2026-01-01T00:00:00Z

CLIENT, RESOLVER, AUTH = "10.9.0.2", "10.9.0.1", "10.9.1.1"
CLIENT6, RESOLVER6, AUTH6 = "fd09::2", "fd09::1", "fd09:1::1"


# ---------------------------------------------------------------- addresses
def a4(s):
    return bytes(int(x) for x in s.split("."))


def a6(s):
    head, _, tail = s.partition("::")
    h = [int(x, 16) for x in head.split(":") if x]
    t = [int(x, 16) for x in tail.split(":") if x]
    return struct.pack("!8H", *(h + [0] * (8 - len(h) - len(t)) + t))


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


# ---------------------------------------------------------------- layers
def eth(payload, ethertype):
    return b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + struct.pack("!H", ethertype) + payload


def ip4(src, dst, proto, payload, ident=0, frag=0x4000, total=None, ttl=64):
    tl = 20 + len(payload) if total is None else total
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tl, ident, frag, ttl, proto, 0, a4(src), a4(dst))
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return eth(h + payload, 0x0800)


def ip6hdr(src, dst, nh, plen):
    return struct.pack("!IHBB16s16s", 0x60000000, plen, nh, 64, a6(src), a6(dst))


def ip6(src, dst, nh, payload):
    return eth(ip6hdr(src, dst, nh, len(payload)) + payload, 0x86DD)


def pseudo(src, dst, proto, length):
    if ":" in src:
        return a6(src) + a6(dst) + struct.pack("!IxxxB", length, proto)
    return a4(src) + a4(dst) + struct.pack("!xBH", proto, length)


def udp(src, dst, sp, dp, payload):
    h = struct.pack("!HHHH", sp, dp, 8 + len(payload), 0)
    c = csum(pseudo(src, dst, 17, 8 + len(payload)) + h + payload) or 0xFFFF
    return h[:6] + struct.pack("!H", c) + payload


def tcp(src, dst, sp, dp, seq, ack, flags, payload=b""):
    h = struct.pack("!HHIIBBHHH", sp, dp, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, 65535, 0, 0)
    c = csum(pseudo(src, dst, 6, len(h) + len(payload)) + h + payload)
    return h[:16] + struct.pack("!H", c) + h[18:] + payload


def udp_pkt(src, dst, sp, dp, dns):
    if ":" in src:
        return ip6(src, dst, 17, udp(src, dst, sp, dp, dns))
    return ip4(src, dst, 17, udp(src, dst, sp, dp, dns))


# ---------------------------------------------------------------- DNS
def name(s):
    out = b""
    for lab in s.strip(".").split("."):
        if lab:
            out += bytes([len(lab)]) + lab.encode()
    return out + b"\0"


def hdr(ident, qr=0, rcode=0, qd=1, an=0, ns=0, ar=0, rd=1, ra=None):
    f = (qr << 15) | (rd << 8) | rcode
    if qr and (ra is None or ra):
        f |= 0x80
    return struct.pack("!HHHHHH", ident, f, qd, an, ns, ar)


def question(qname, qtype=1):
    return (name(qname) if isinstance(qname, str) else qname) + struct.pack("!HH", qtype, 1)


def rr(owner, rtype, rdata, ttl=300, cls=1):
    o = name(owner) if isinstance(owner, str) else owner
    return o + struct.pack("!HHIH", rtype, cls, ttl, len(rdata)) + rdata


def query(ident, qname, qtype=1, extra=b"", ar=0):
    return hdr(ident, qd=1, ar=ar) + question(qname, qtype) + extra


def answer_a(ident, qname, addr="192.0.2.1"):
    return hdr(ident, qr=1, an=1) + question(qname) + rr(b"\xc0\x0c", 1, a4(addr))


def opt(rdata, udpsize=1232, owner=b"\0", rdlen=None):
    return owner + struct.pack("!HHIH", 41, udpsize, 0, len(rdata) if rdlen is None else rdlen) + rdata


def ednsopt(code, data, length=None):
    return struct.pack("!HH", code, len(data) if length is None else length) + data


# ---------------------------------------------------------------- pcap writer
class Pcap:
    def __init__(self, snaplen=65535, linktype=1):
        self.b = bytearray(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype))
        self.t = 0  # microseconds after T0

    def add(self, frame, dt=1000, caplen=None, origlen=None):
        self.t += dt
        data = frame if caplen is None else frame[:caplen]
        self.b += struct.pack("<IIII", T0 + self.t // 1000000, self.t % 1000000,
                              len(data) if caplen is None else caplen,
                              len(frame) if origlen is None else origlen)
        self.b += data

    def raw(self, b):
        self.b += b

    def ok_pair(self, ident, qname, cport=40000, v6=False):
        """An ordinary query and its answer, client to resolver."""
        c, r = (CLIENT6, RESOLVER6) if v6 else (CLIENT, RESOLVER)
        self.add(udp_pkt(c, r, cport, 53, query(ident, qname)))
        self.add(udp_pkt(r, c, 53, cport, answer_a(ident, qname)))

    def q(self, dns, cport=40001):
        self.add(udp_pkt(CLIENT, RESOLVER, cport, 53, dns))

    def r(self, dns, cport=40001):
        self.add(udp_pkt(RESOLVER, CLIENT, 53, cport, dns))


# ---------------------------------------------------------------- captures
def dns_pointers():
    p = Pcap()
    p.ok_pair(0x0100, "ok.example.com")
    # query: QNAME is a pointer to itself
    p.q(hdr(0x0101) + b"\xc0\x0c" + struct.pack("!HH", 1, 1))
    # query: two pointers pointing at each other (12 -> 14 -> 12)
    p.q(hdr(0x0102) + b"\xc0\x0e\xc0\x0c" + struct.pack("!HH", 1, 1))
    # query: forward pointer to a valid name placed after the question
    p.q(hdr(0x0103) + b"\xc0\x12" + struct.pack("!HH", 1, 1) + name("fwd.example.com"))
    # response: answer owner is a pointer to itself
    qd = question("self.example.com")
    p.q(query(0x0104, "self.example.com"))
    off = 12 + len(qd)
    p.r(hdr(0x0104, qr=1, an=1) + qd + rr(struct.pack("!H", 0xC000 | off), 1, a4("192.0.2.4")))
    # response: owner -> CNAME rdata (forward), rdata -> owner (backward): a loop
    qd = question("loop.example.com", 5)
    p.q(query(0x0105, "loop.example.com", 5))
    own = 12 + len(qd)
    rdata_off = own + 6 + 10
    owner = b"\x03abc" + struct.pack("!H", 0xC000 | rdata_off)
    rdata = b"\x03def" + struct.pack("!H", 0xC000 | own)
    p.r(hdr(0x0105, qr=1, an=1) + qd + rr(owner, 5, rdata))
    # response: answer owner is a forward pointer to the CNAME target in rdata
    qd = question("fwd2.example.com", 5)
    p.q(query(0x0106, "fwd2.example.com", 5))
    rdata_off = 12 + len(qd) + 2 + 10
    p.r(hdr(0x0106, qr=1, an=1) + qd + rr(struct.pack("!H", 0xC000 | rdata_off), 5, name("t.example.com")))
    # response: a chain of 70 backward pointers (more than 64 hops)
    qd = question("chain.example.com")
    p.q(query(0x0107, "chain.example.com"))
    base = 12 + len(qd) + len(name("x.example.com")) + 10  # rdata of the first RR
    ptrs = b"\x01x\xc0\x0c"  # a name at base: x.chain.example.com
    for i in range(70):
        ptrs += struct.pack("!H", 0xC000 | (base + (0 if i == 0 else 4 + 2 * (i - 1))))
    last = base + 4 + 2 * 69
    p.r(hdr(0x0107, qr=1, an=2) + qd + rr("x.example.com", 65280, ptrs)
        + rr(struct.pack("!H", 0xC000 | last), 1, a4("192.0.2.7")))
    # query: pointer past the end of the message
    p.q(hdr(0x0108) + b"\xc0\xff" + struct.pack("!HH", 1, 1))
    # query: pointer cut (one byte, then end of message)
    p.q(hdr(0x0109) + b"\x03abc\xc0")
    p.ok_pair(0x01FF, "after.example.com")
    return p


def dns_long_names():
    p = Pcap()
    p.ok_pair(0x0200, "ok.example.com")
    # labels over 63 bytes: length bytes 0x40 (64) and 0x7f (127) are the
    # extended/reserved label types 01xxxxxx; 0x80 is 10xxxxxx
    p.q(hdr(0x0201) + b"\x40" + b"a" * 64 + name("example.com") + struct.pack("!HH", 1, 1))
    p.q(hdr(0x0202) + b"\x7f" + b"b" * 127 + name("example.com") + struct.pack("!HH", 1, 1))
    p.q(hdr(0x0203) + b"\x80" + b"c" * 128 + b"\0" + struct.pack("!HH", 1, 1))
    # a name of exactly 255 bytes (valid) and of 256 bytes (invalid)
    n255 = ".".join(["a" * 63] * 3 + ["b" * 61])
    n256 = ".".join(["a" * 63] * 3 + ["b" * 62])
    assert len(name(n255)) == 255 and len(name(n256)) == 256
    p.q(query(0x0204, n255))
    p.r(answer_a(0x0204, n255))
    p.q(query(0x0205, n256))
    # five labels of 63: 321 bytes
    p.q(query(0x0206, ".".join(["d" * 63] * 5)))
    # over 255 only through compression: 200-byte question name, answer
    # owner of four 20-byte labels + a pointer to it (284 bytes)
    qn = ".".join(["e" * 49] * 4)
    qd = question(qn)
    p.q(query(0x0207, qn))
    owner = (b"\x14" + b"f" * 20) * 4 + b"\xc0\x0c"
    p.r(hdr(0x0207, qr=1, an=1) + qd + rr(owner, 1, a4("192.0.2.7")))
    # 128 empty-looking labels of length 1 (a 257-byte name)
    p.q(hdr(0x0208) + b"\x01z" * 128 + b"\0" + struct.pack("!HH", 1, 1))
    p.ok_pair(0x02FF, "after.example.com")
    return p


def dns_counts():
    p = Pcap()
    p.ok_pair(0x0300, "ok.example.com")
    # response: question, then AN/NS/AR counts 65535 and no records at all
    p.q(query(0x0301, "counts.example.com"))
    p.r(hdr(0x0301, qr=1, an=65535, ns=65535, ar=65535) + question("counts.example.com"))
    # query: QDCOUNT 65535 with one question
    p.q(hdr(0x0302, qd=65535) + question("qd.example.com"))
    # header only, every count 65535
    p.q(hdr(0x0303, qd=65535, an=65535, ns=65535, ar=65535))
    # SERVFAIL response with counts 65535 and nothing after the question
    p.q(query(0x0304, "sf.example.com"))
    p.r(hdr(0x0304, qr=1, rcode=2, an=65535, ns=0, ar=65535) + question("sf.example.com"))
    # 11 bytes (shorter than a header), and an empty UDP payload
    p.q(hdr(0x0305)[:11])
    p.q(b"")
    # QDCOUNT 0 with trailing garbage
    p.q(hdr(0x0306, qd=0) + b"\xff" * 7)
    p.ok_pair(0x03FF, "after.example.com")
    return p


def edns_overrun():
    p = Pcap()
    p.ok_pair(0x0400, "ok.example.com")
    # query: OPT rdlength 4, cookie option claiming 200 bytes
    p.q(query(0x0401, "cookie.example.com", ar=1, extra=opt(ednsopt(10, b"", 200))))
    # response: OPT rdlength 20 holding an EDE option of length 30, a
    # record follows inside the message (the option runs into it)
    qd = question("ede.example.com")
    p.q(query(0x0402, "ede.example.com"))
    body = ednsopt(15, struct.pack("!H", 22) + b"over", 30)
    body += b"\0" * (20 - len(body))
    p.r(hdr(0x0402, qr=1, rcode=2, ar=2) + qd + opt(body[:20]) + rr("x.example.com", 16, b"\x03abc"))
    # response: OPT rdlength 500 past the end of the message
    p.q(query(0x0403, "rdlen.example.com"))
    p.r(hdr(0x0403, qr=1, rcode=2, ar=1) + question("rdlen.example.com")
        + opt(ednsopt(15, struct.pack("!H", 2)), rdlen=500))
    # response: EDE of length 1 (no room for the info code)
    p.q(query(0x0404, "ede1.example.com"))
    p.r(hdr(0x0404, qr=1, rcode=2, ar=1) + question("ede1.example.com") + opt(ednsopt(15, b"\x00")))
    # response: option header cut (3 bytes of rdata)
    p.q(query(0x0405, "cut.example.com"))
    p.r(hdr(0x0405, qr=1, rcode=2, ar=1) + question("cut.example.com") + opt(b"\x00\x0f\x00"))
    # response: valid EDEs whose text is hostile for the JSON writer
    # (invalid UTF-8, control bytes, quote, backslash, NUL) - must stay valid JSON
    p.q(query(0x0406, "text.example.com"))
    txt = b'bad \xff\xfe utf8 \x01\x1f "q" \\ \x00 nul \xc3\x28 \xe2\x82'
    p.r(hdr(0x0406, qr=1, rcode=2, ar=1) + question("text.example.com")
        + opt(ednsopt(15, struct.pack("!H", 6) + txt) + ednsopt(15, struct.pack("!H", 65535))))
    # response: two OPT records, and an OPT whose owner is not the root
    p.q(query(0x0407, "twoopt.example.com"))
    p.r(hdr(0x0407, qr=1, rcode=2, ar=2) + question("twoopt.example.com")
        + opt(ednsopt(15, struct.pack("!H", 1))) + opt(ednsopt(15, struct.pack("!H", 2))))
    p.q(query(0x0408, "owner.example.com"))
    p.r(hdr(0x0408, qr=1, rcode=2, ar=1) + question("owner.example.com")
        + opt(ednsopt(15, struct.pack("!H", 3)), owner=name("owner.example.com")))
    p.ok_pair(0x04FF, "after.example.com")
    return p


def icmp_cut_quote():
    """The resolver queries an authority; ICMP errors come back quoting less
    and less of the query."""
    p = Pcap()
    p.ok_pair(0x0500, "ok.example.com")

    def up4(ident, sport, qn):
        dns = query(ident, qn, extra=b"")
        u = udp(RESOLVER, AUTH, sport, 53, dns)
        full = ip4(RESOLVER, AUTH, 17, u, ident=ident)
        p.add(full)
        return full[14:]  # the IP datagram as sent

    def icmp4(quote, t=3, c=3):
        body = struct.pack("!BBHI", t, c, 0, 0) + quote
        body = body[:2] + struct.pack("!H", csum(body)) + body[4:]
        p.add(ip4(AUTH, RESOLVER, 1, body))

    d = up4(0x0501, 33001, "a.example.com")
    icmp4(d[:10])                       # quoted IP header cut mid-way
    d = up4(0x0502, 33002, "b.example.com")
    icmp4(d[:24])                       # IP header + 4 bytes of UDP header
    d = up4(0x0503, 33003, "c.example.com")
    icmp4(b"\x4f" + d[1:28])            # IHL says 60 bytes, 28 quoted
    d = up4(0x0504, 33004, "d.example.com")
    icmp4(d[:20] + d[20:28] + d[28:30])  # UDP header + 2 bytes of DNS
    d = up4(0x0505, 33005, "e.example.com")
    icmp4(b"")                          # nothing quoted at all
    d = up4(0x0506, 33006, "f.example.com")
    icmp4(b"\x65" + d[1:40])            # version 6 in an IPv4 quote
    d = up4(0x0507, 33007, "g.example.com")
    q = bytearray(d[:40])
    q[2:4] = b"\x00\x08"                # quoted total length 8 (< header)
    icmp4(bytes(q))
    d = up4(0x0508, 33008, "h.example.com")
    icmp4(d[:40])                       # control: UDP + 12 bytes of DNS

    def up6(ident, sport, qn):
        u = udp(RESOLVER6, AUTH6, sport, 53, query(ident, qn))
        full = ip6(RESOLVER6, AUTH6, 17, u)
        p.add(full)
        return full[14:]

    def icmp6(quote):
        body = struct.pack("!BBHI", 1, 4, 0, 0) + quote
        c = csum(pseudo(AUTH6, RESOLVER6, 58, len(body)) + body)
        body = body[:2] + struct.pack("!H", c) + body[4:]
        p.add(ip6(AUTH6, RESOLVER6, 58, body))

    d = up6(0x0511, 33011, "i.example.com")
    icmp6(d[:20])                       # quoted IPv6 header cut mid-way
    d = up6(0x0512, 33012, "j.example.com")
    icmp6(d[:44])                       # IPv6 header + 4 bytes of UDP
    d = up6(0x0513, 33013, "k.example.com")
    icmp6(d[:6] + b"\x2c" + d[7:40] + b"\x11\x00")  # fragment header cut after 2 bytes
    d = up6(0x0514, 33014, "l.example.com")
    icmp6(d[:60])                       # control
    p.ok_pair(0x05FF, "after.example.com")
    return p


def tcp_short_prefix():
    p = Pcap()
    p.ok_pair(0x0600, "ok.example.com")

    def stream(c, s, cport, handshake, data_chunks):
        seq, sseq = 1000, 5000
        if handshake:
            p.add(ip_of(c, s, tcp(c, s, cport, 53, seq, 0, 0x02)))
            p.add(ip_of(s, c, tcp(s, c, 53, cport, sseq, seq + 1, 0x12)))
            p.add(ip_of(c, s, tcp(c, s, cport, 53, seq + 1, sseq + 1, 0x10)))
        seq += 1
        for d in data_chunks:
            p.add(ip_of(c, s, tcp(c, s, cport, 53, seq, sseq + 1, 0x18, d)))
            seq += len(d)
        p.add(ip_of(c, s, tcp(c, s, cport, 53, seq, sseq + 1, 0x11)))
        p.add(ip_of(s, c, tcp(s, c, 53, cport, sseq + 1, seq + 1, 0x11)))
        p.add(ip_of(c, s, tcp(c, s, cport, 53, seq + 1, sseq + 2, 0x10)))

    def ip_of(src, dst, seg):
        return ip6(src, dst, 6, seg) if ":" in src else ip4(src, dst, 6, seg)

    short = b"\xff\xff" + query(0x0601, "tcp.example.com")
    stream(CLIENT, RESOLVER, 41001, True, [short])               # IPv4, libnids
    stream(CLIENT6, RESOLVER6, 41002, True, [short])             # IPv6, tcp6
    stream(CLIENT, RESOLVER, 41003, False, [short])              # IPv4 mid-stream
    # prefix split from its data, 65535 again, data in two segments
    stream(CLIENT, RESOLVER, 41004, True, [b"\xff", b"\xff" + b"x" * 30, b"y" * 30])
    # a run of zero-length messages, then a real one
    m = query(0x0605, "zero.example.com")
    stream(CLIENT, RESOLVER, 41005, True, [b"\0\0" * 50 + struct.pack("!H", len(m)) + m])
    stream(CLIENT6, RESOLVER6, 41006, True, [b"\0\0" * 50 + struct.pack("!H", len(m)) + m])
    # length prefix 1..11 (shorter than a DNS header)
    stream(CLIENT, RESOLVER, 41007, True, [b"\x00\x05abcde" + b"\x00\x0b" + m[:11]])
    p.ok_pair(0x06FF, "after.example.com")
    return p


def frag4(src, dst, ident, off8, mf, data, proto=17):
    return ip4(src, dst, proto, data, ident=ident, frag=(0x2000 if mf else 0) | off8)


def frag6(src, dst, ident, off8, mf, data, nh=17):
    fh = struct.pack("!BBHI", nh, 0, (off8 << 3) | (1 if mf else 0), ident)
    return ip6(src, dst, 44, fh + data)


def big_response(ident, qn, n=40):
    qd = question(qn)
    return hdr(ident, qr=1, an=n) + qd + b"".join(rr(b"\xc0\x0c", 1, a4("192.0.2.%d" % (i + 1))) for i in range(n))


def frag_overlap():
    p = Pcap()
    p.ok_pair(0x0700, "ok.example.com")
    up = 34000
    # IPv4: query upstream, answer in fragments that overlap with different bytes
    for k, (label, pieces) in enumerate([
        ("overlap", [(0, 1, 0, 200), (24, 1, 192, 400), (50, 0, 400, None)]),   # 2nd overlaps 1st
        ("teardrop", [(0, 1, 0, 200), (5, 1, 40, 80), (25, 0, 200, None)]),     # 2nd inside 1st
        ("dup", [(0, 1, 0, 200), (0, 1, 0, 200), (25, 0, 200, None)]),          # exact duplicate
        ("beyond", [(0, 1, 0, 200), (8189, 0, 200, 240)]),                      # ends past 65535
    ]):
        ident = 0x0710 + k
        qn = "%s.example.com" % label
        p.add(udp_pkt(RESOLVER, AUTH, up + k, 53, query(ident, qn)))
        dg = udp(AUTH, RESOLVER, 53, up + k, big_response(ident, qn))
        for off8, mf, start, end in pieces:
            chunk = dg[start:end]
            if label == "overlap" and off8 == 24:
                chunk = bytes(b ^ 0x5A for b in chunk)
            p.add(frag4(AUTH, RESOLVER, 0x4000 + k, off8, mf, chunk))
    # IPv6: the same overlap, and a train ending past 65535, and an atomic fragment
    for k, (label, pieces) in enumerate([
        ("overlap6", [(0, 1, 0, 200), (24, 1, 192, 400), (50, 0, 400, None)]),
        ("teardrop6", [(0, 1, 0, 200), (5, 1, 40, 80), (25, 0, 200, None)]),
        ("beyond6", [(0, 1, 0, 200), (8189, 0, 200, 240)]),
        ("atomic6", [(0, 0, 0, None)]),
    ]):
        ident = 0x0720 + k
        qn = "%s.example.com" % label
        p.add(udp_pkt(RESOLVER6, AUTH6, up + 10 + k, 53, query(ident, qn)))
        dg = udp(AUTH6, RESOLVER6, 53, up + 10 + k, big_response(ident, qn))
        for off8, mf, start, end in pieces:
            chunk = dg[start:end]
            if label == "overlap6" and off8 == 24:
                chunk = bytes(b ^ 0x5A for b in chunk)
            p.add(frag6(AUTH6, RESOLVER6, 0x6000 + k, off8, mf, chunk))
    p.ok_pair(0x07FF, "after.example.com")
    return p


def frag_resolution(p, v6, mode, ident, qn, gap_after, fillers=0):
    """A client query, the resolver's upstream query, an answer in three
    fragments of which the middle one is missing (mode "missing") or
    overlaps the first with other bytes (mode "overlap"), and the
    resolver's SERVFAIL 3 s later; then either a silent gap of gap_after
    seconds or one ordinary resolution per second for 'fillers' seconds."""
    C, R, A = (CLIENT6, RESOLVER6, AUTH6) if v6 else (CLIENT, RESOLVER, AUTH)
    p.add(udp_pkt(C, R, 40000 + ident % 1000, 53, query(ident, qn)))
    up = hdr(ident ^ 0x5555, rd=0) + question(qn)
    p.add(udp_pkt(R, A, 34000 + ident % 1000, 53, up))
    dg = udp(A, R, 53, 34000 + ident % 1000, big_response(ident ^ 0x5555, qn))
    pieces = [(0, 1, 0, 200), (24, 1, 192, 400), (50, 0, 400, None)] if mode == "overlap" else \
        [(0, 1, 0, 200), (50, 0, 400, None)]
    for off8, mf, start, end in pieces:
        chunk = dg[start:end]
        if off8 == 24:
            chunk = bytes(b ^ 0x5A for b in chunk)
        p.add(frag6(A, R, ident, off8, mf, chunk) if v6 else frag4(A, R, ident, off8, mf, chunk))
    p.add(udp_pkt(R, C, 53, 40000 + ident % 1000, hdr(ident, qr=1, rcode=2) + question(qn)), dt=3000000)
    for i in range(fillers):
        fq = "filler%d-%x.example.com" % (i, ident)
        p.add(udp_pkt(C, R, 41000 + i, 53, query((ident + 1 + i) & 0xFFFF, fq)), dt=1000000)
        p.add(udp_pkt(R, C, 53, 41000 + i, answer_a((ident + 1 + i) & 0xFFFF, fq)))
    p.t += gap_after * 1000000


def frag_lost_sparse():
    """Resolver-host view of two SERVFAILs whose upstream answer lost a
    fragment (IPv4, then IPv6), each followed by 40 s without a packet:
    the train expires at the same instant the client query's window ends.
    Both verdicts should be truncation / fragment_loss."""
    p = Pcap()
    frag_resolution(p, False, "missing", 0x0D01, "www.lost4.example.com", 40)
    frag_resolution(p, True, "missing", 0x0D02, "www.lost6.example.com", 40)
    p.ok_pair(0x0DFF, "after.example.com")
    return p


def frag_overlap_servfail():
    """Resolver-host view: the upstream answer arrives in fragments that
    overlap with different bytes (a kernel discards such a datagram: RFC
    5722 for IPv6, Linux >= 4.19 for IPv4), the resolver answers SERVFAIL;
    one ordinary resolution per second follows for 45 s."""
    p = Pcap()
    frag_resolution(p, False, "overlap", 0x0E01, "www.overlap4.example.com", 0, fillers=45)
    frag_resolution(p, True, "overlap", 0x0E02, "www.overlap6.example.com", 0, fillers=45)
    return p


def frag_endless(trains=2000):
    """Thousands of fragment trains that never complete, from many ids and
    sources, IPv4 and IPv6, spread over 60 s of capture time."""
    p = Pcap()
    p.ok_pair(0x0800, "ok.example.com")
    for i in range(trains):
        src = "10.9.%d.%d" % (2 + i // 250, 1 + i % 250)
        # 48 bytes: a non-last fragment must be a multiple of 8 long
        dg = udp(src, RESOLVER, 53, 35000 + i % 1000, hdr(i & 0xFFFF, qr=1) + b"\0" * 28)
        p.add(frag4(src, RESOLVER, i & 0xFFFF, 0, 1, dg), dt=15000)
        src6 = "fd09:2::%x" % (i + 1)
        dg = udp(src6, RESOLVER6, 53, 35000 + i % 1000, hdr(i & 0xFFFF, qr=1) + b"\0" * 28)
        p.add(frag6(src6, RESOLVER6, 0x10000 + i, 0, 1, dg), dt=15000)
    p.ok_pair(0x08FF, "after.example.com")
    return p


def caplen_absurd():
    p = Pcap()
    p.ok_pair(0x0900, "ok.example.com")
    p.ok_pair(0x0901, "two.example.com")
    # a record header claiming 16 MiB of data (libpcap: > 262144, an error)
    frame = udp_pkt(CLIENT, RESOLVER, 40002, 53, query(0x0902, "three.example.com"))
    p.t += 1000
    p.raw(struct.pack("<IIII", T0 + p.t // 1000000, p.t % 1000000, 0x01000000, 0x01000000))
    p.raw(frame)
    return p


def caplen_over_snaplen():
    # file snaplen 96; one record of 128 bytes claims caplen 128 > snaplen.
    # libpcap reads it and cuts it to 96 (no error).
    p = Pcap(snaplen=96)
    p.add(udp_pkt(CLIENT, RESOLVER, 40000, 53, query(0x0A00, "ok.example.com")))
    qn = "a-rather-long-name-to-make-it-longer.example.com"
    p.add(udp_pkt(CLIENT, RESOLVER, 40001, 53, query(0x0A01, qn)))
    p.add(udp_pkt(RESOLVER, CLIENT, 53, 40001, answer_a(0x0A01, qn)))
    p.add(udp_pkt(RESOLVER, CLIENT, 53, 40000, answer_a(0x0A00, "ok.example.com")))
    return p


# ---------------------------------------------------------------- pcapng
def ng_block(btype, body, total=None):
    body += b"\0" * (-len(body) % 4)
    tl = 12 + len(body)
    return struct.pack("<II", btype, tl if total is None else total) + body + struct.pack("<I", tl)


def ng_start():
    shb = ng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    idb = ng_block(1, struct.pack("<HHI", 1, 0, 65535))
    return shb + idb


def ng_epb(t_us, frame, total=None):
    ts = (T0 * 1000000) + t_us
    body = struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(frame), len(frame)) + frame
    return ng_block(6, body, total)


def pcapng_bad_blocklen():
    b = ng_start()
    b += ng_epb(1000, udp_pkt(CLIENT, RESOLVER, 40000, 53, query(0x0B00, "ok.example.com")))
    b += ng_epb(2000, udp_pkt(RESOLVER, CLIENT, 53, 40000, answer_a(0x0B00, "ok.example.com")))
    # block total length 77: not a multiple of 4
    b += ng_epb(3000, udp_pkt(CLIENT, RESOLVER, 40001, 53, query(0x0B01, "bad.example.com")), total=77)
    b += ng_epb(4000, udp_pkt(CLIENT, RESOLVER, 40002, 53, query(0x0B02, "never.example.com")))
    return b


def pcapng_huge_block():
    b = ng_start()
    b += ng_epb(1000, udp_pkt(CLIENT, RESOLVER, 40000, 53, query(0x0C00, "ok.example.com")))
    b += ng_epb(2000, udp_pkt(RESOLVER, CLIENT, 53, 40000, answer_a(0x0C00, "ok.example.com")))
    # block total length 0x7ffffff0, far past the end of the file
    b += ng_epb(3000, udp_pkt(CLIENT, RESOLVER, 40001, 53, query(0x0C01, "bad.example.com")), total=0x7FFFFFF0)
    return b


def linktype_user3():
    """A file of link type 150 (LINKTYPE_USER3, private use): not
    supported (exit 3), and not called a damaged header."""
    return Pcap(linktype=150)


def linktype_pktap_149():
    """Apple PKTAP under link type 149 (DLT_USER2, as Apple's tcpdump wrote
    it): a 108-byte header (length and inner link type, little-endian),
    then an Ethernet frame: a query, then its answer."""
    p = Pcap(linktype=149)
    for frame in (udp_pkt(CLIENT, RESOLVER, 40000, 53, query(0x0E00, "www.example.com")),
                  udp_pkt(RESOLVER, CLIENT, 53, 40000, answer_a(0x0E00, "www.example.com"))):
        p.add(struct.pack("<II", 108, 1) + bytes(100) + frame)
    return p


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "pcaps", "hostile")
    files = {
        "dns-pointers.pcap": dns_pointers().b,
        "dns-long-names.pcap": dns_long_names().b,
        "dns-counts.pcap": dns_counts().b,
        "edns-overrun.pcap": edns_overrun().b,
        "icmp-cut-quote.pcap": icmp_cut_quote().b,
        "tcp-short-prefix.pcap": tcp_short_prefix().b,
        "frag-overlap.pcap": frag_overlap().b,
        "frag-endless.pcap": frag_endless().b,
        "frag-lost-sparse.pcap": frag_lost_sparse().b,
        "frag-overlap-servfail.pcap": frag_overlap_servfail().b,
        "caplen-absurd.pcap": caplen_absurd().b,
        "caplen-over-snaplen.pcap": caplen_over_snaplen().b,
        "pcapng-bad-blocklen.pcapng": pcapng_bad_blocklen(),
        "pcapng-huge-block.pcapng": pcapng_huge_block(),
        "linktype-user3.pcap": linktype_user3().b,
        "linktype-pktap-149.pcap": linktype_pktap_149().b,
    }
    for fn, data in files.items():
        with open(os.path.join(out, fn), "wb") as f:
            f.write(bytes(data))
        print("%-28s %7d bytes" % (fn, len(data)))


if __name__ == "__main__":
    main()
