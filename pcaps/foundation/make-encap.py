#!/usr/bin/env python3
"""Writes the encapsulation and TCP-situation captures of pcaps/foundation/
(see NOTES.md there, "Crafted captures: tunnels, QinQ, mid-stream TCP, TCP
Fast Open").

Python 3 standard library only; every byte is built here by hand (Ethernet,
802.1ad/802.1Q, IPv4, IPv6, UDP, TCP with options, Geneve, DNS), checksums
are computed, timestamps are fixed (from 2026-02-01T00:00:00Z), so the
output is the same on every run:
    python3 pcaps/foundation/make-encap.py [OUTDIR]   (default: this folder)

Every capture is a resolver-host view: a client's query to the resolver,
the resolver's own iterative (RD=0) queries upstream, and its answer to the
client, so that dnsblame can judge the SERVFAILs.  Each holds one ordinary
resolution (the control) and one or two that fail upstream - by timeout,
an error rcode or an ICMP port unreachable - followed by the resolver's
SERVFAIL; the last packet comes at least 2 s after the last SERVFAIL.

Addresses: clients 10.9.0.2 / fd09::2, resolver 10.9.0.1 / fd09::1 on the
client side, authorities 192.0.2.53, 198.51.100.53 / 2001:db8:53::1,
2001:db8:53::2; tunnel underlays in 203.0.113.0/24 and 2001:db8:ffff::/48.
"""
import os
import struct
import sys

T0 = 1769904000  # 2026-02-01T00:00:00Z

CLIENT, RESOLVER = "10.9.0.2", "10.9.0.1"
CLIENT6, RESOLVER6 = "fd09::2", "fd09::1"
AUTH1, AUTH2 = "192.0.2.53", "198.51.100.53"
AUTH1_6, AUTH2_6 = "2001:db8:53::1", "2001:db8:53::2"


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


# ---------------------------------------------------------------- IP packets
# Each returns an IP datagram (no link layer): the encapsulations below wrap it.
_ident = [0x1000]


def ip4(src, dst, proto, payload, ttl=64):
    _ident[0] = (_ident[0] + 1) & 0xFFFF
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), _ident[0], 0x4000, ttl, proto, 0,
                    a4(src), a4(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def ip6(src, dst, nh, payload, hlim=64):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), nh, hlim, a6(src), a6(dst)) + payload


def ip(src, dst, proto, payload):
    return ip6(src, dst, proto, payload) if ":" in src else ip4(src, dst, proto, payload)


def pseudo(src, dst, proto, length):
    if ":" in src:
        return a6(src) + a6(dst) + struct.pack("!IxxxB", length, proto)
    return a4(src) + a4(dst) + struct.pack("!xBH", proto, length)


def udp(src, dst, sp, dp, payload):
    h = struct.pack("!HHHH", sp, dp, 8 + len(payload), 0)
    c = csum(pseudo(src, dst, 17, 8 + len(payload)) + h + payload) or 0xFFFF
    return h[:6] + struct.pack("!H", c) + payload


def udp_ip(src, dst, sp, dp, payload):
    return ip(src, dst, 17, udp(src, dst, sp, dp, payload))


SYN, FIN, RST, PSH, ACK = 0x02, 0x01, 0x04, 0x08, 0x10


def tcp(src, dst, sp, dp, seq, ack, flags, payload=b"", opts=b"", win=64240):
    opts += b"\x01" * (-len(opts) % 4)  # NOP padding to a 32-bit boundary
    off = (20 + len(opts)) // 4
    h = struct.pack("!HHIIBBHHH", sp, dp, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, off << 4, flags, win, 0, 0)
    h += opts
    c = csum(pseudo(src, dst, 6, len(h) + len(payload)) + h + payload)
    return ip(src, dst, 6, h[:16] + struct.pack("!H", c) + h[18:] + payload)


def icmp_unreach(src, dst, quoted):
    """ICMP (IPv4) or ICMPv6 port unreachable from src quoting a datagram."""
    if ":" in src:
        body = struct.pack("!BBHI", 1, 4, 0, 0) + quoted[:1232]
        c = csum(pseudo(src, dst, 58, len(body)) + body)
        return ip6(src, dst, 58, body[:2] + struct.pack("!H", c) + body[4:])
    body = struct.pack("!BBHI", 3, 3, 0, 0) + quoted[:548]
    return ip4(src, dst, 1, body[:2] + struct.pack("!H", csum(body)) + body[4:])


# ---------------------------------------------------------------- link layer
MAC_A = b"\x02\x00\x5e\x10\x00\x01"
MAC_B = b"\x02\x00\x5e\x10\x00\x02"


def ethertype_of(pkt):
    return 0x86DD if pkt[0] >> 4 == 6 else 0x0800


def eth(pkt, et=None, dst=MAC_A, src=MAC_B):
    return dst + src + struct.pack("!H", et if et is not None else ethertype_of(pkt)) + pkt


def bare(pkt):
    return eth(pkt)


# ---------------------------------------------------------------- encapsulations
# AWS Gateway Load Balancer style Geneve (RFC 8926): outer IPv4/UDP 6081,
# three options of class 0x0108 (GWLB endpoint id, attachment id, flow
# cookie: 32 bytes of options, Opt Len 8), protocol type 0x0800 or 0x86DD
# (the inner IP packet follows the options, no inner Ethernet header).
GENEVE_OUTER = ("203.0.113.10", "203.0.113.20")  # load balancer -> appliance


def geneve_opts(cookie):
    o = struct.pack("!HBB", 0x0108, 1, 2) + bytes.fromhex("0123456789abcdef")  # endpoint id
    o += struct.pack("!HBB", 0x0108, 2, 2) + bytes.fromhex("00000000fedcba98")  # attachment id
    o += struct.pack("!HBB", 0x0108, 3, 1) + struct.pack("!I", cookie)          # flow cookie
    return o


def geneve(pkt):
    opts = geneve_opts(csum(pkt[12:20]) << 8 | 0x5A)
    g = struct.pack("!BBH", len(opts) // 4, 0, ethertype_of(pkt)) + struct.pack("!I", 0) + opts + pkt
    # The source port is the load balancer's flow hash: fixed per inner flow.
    sport = 49152 + csum(pkt[12:20] if pkt[0] >> 4 == 4 else pkt[8:40]) % 16000
    src, dst = GENEVE_OUTER
    return eth(ip4(src, dst, 17, udp(src, dst, sport, 6081, g)))


def tunnel4(local, remote):
    """IPv4 underlay: IPv4 in IPv4 (protocol 4) or IPv6 in IPv4 (protocol
    41, 6in4/SIT); direction from the inner packet's source."""
    def wrap(pkt, outbound):
        s, d = (local, remote) if outbound else (remote, local)
        return eth(ip4(s, d, 41 if pkt[0] >> 4 == 6 else 4, pkt))
    return wrap


def tunnel6(local, remote, encap_limit=None):
    """IPv6 underlay: IPv4 in IPv6 (next header 4, DS-Lite RFC 6333) or
    IPv6 in IPv6 (next header 41, RFC 2473).  encap_limit: a Destination
    Options header with the Tunnel Encapsulation Limit option (RFC 2473
    4.1.1) before the inner packet, as Linux's ip6tnl sends by default
    (limit 4) unless configured with "encaplimit none"."""
    def wrap(pkt, outbound):
        s, d = (local, remote) if outbound else (remote, local)
        nh = 41 if pkt[0] >> 4 == 6 else 4
        if encap_limit is None:
            return eth(ip6(s, d, nh, pkt))
        dstopts = struct.pack("!BBBBB", nh, 0, 4, 1, encap_limit) + b"\x01\x01\x00"  # TEL, PadN
        return eth(ip6(s, d, 60, dstopts + pkt))
    return wrap


def qinq(pkt, svid=100, cvid=11):
    """802.1ad S-tag (TPID 0x88a8) then 802.1Q C-tag (0x8100)."""
    tags = struct.pack("!HH", 0x88A8, svid) + struct.pack("!HH", 0x8100, cvid)
    return MAC_A + MAC_B + tags + struct.pack("!H", ethertype_of(pkt)) + pkt


# ---------------------------------------------------------------- DNS
A, AAAA = 1, 28
NOERROR, SERVFAIL, REFUSED = 0, 2, 5


def name(s):
    return b"".join(bytes([len(l)]) + l.encode() for l in s.strip(".").split(".")) + b"\0"


def question(qname, qtype):
    return name(qname) + struct.pack("!HH", qtype, 1)


def opt(size=1232, do=0):
    return b"\0" + struct.pack("!HHIH", 41, size, 0x8000 if do else 0, 0)


def query(ident, qname, qtype, rd):
    """A query with EDNS (an OPT record, no options)."""
    return struct.pack("!HHHHHH", ident, 0x0100 if rd else 0, 1, 0, 0, 1) + question(qname, qtype) + opt()


def response(ident, qname, qtype, rcode=NOERROR, rd=1, ra=1, aa=0, addr=None):
    """The response to query(): an answer record when addr is given."""
    flags = 0x8000 | (0x0400 if aa else 0) | (0x0100 if rd else 0) | (0x0080 if ra else 0) | rcode
    an = b""
    if addr is not None:
        rdata = a6(addr) if qtype == AAAA else a4(addr)
        an = b"\xc0\x0c" + struct.pack("!HHIH", qtype, 1, 300, len(rdata)) + rdata
    return struct.pack("!HHHHHH", ident, flags, 1, 1 if an else 0, 0, 1) + question(qname, qtype) + an + opt()


def framed(msg):
    return struct.pack("!H", len(msg)) + msg


# ---------------------------------------------------------------- pcap writer
class Pcap:
    def __init__(self, linktype=1, snaplen=65535):
        self.b = bytearray(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype))
        self.t = 0  # microseconds after T0

    def add(self, frame, dt=1000):
        self.t += dt
        self.b += struct.pack("<IIII", T0 + self.t // 1000000, self.t % 1000000, len(frame), len(frame))
        self.b += frame


def plain(f):
    """A leg (how packets reach the capture: leg(ip_packet, outbound), where
    outbound means sent by the resolver host) that wraps both directions
    alike."""
    return lambda pkt, outbound: f(pkt)


# ---------------------------------------------------------------- resolutions
def resolution(p, client_leg, up_leg, c, r, r_up, cport, ident, qname, qtype, attempts, final,
               answer_addr=None, servfail_after=None, gap=1000):
    """A client's UDP query to the resolver r, the resolver's upstream
    attempts from r_up, and its answer.  attempts: a list of
    (server, outcome) with outcome "answer", "timeout", "refused",
    "servfail" or "icmp"; final: the rcode sent to the client.  A timed-out
    attempt is followed by the next one 1 s later; servfail_after: the delay
    (us) between the last attempt and the client's SERVFAIL; gap: the time
    (us) from the previous packet to the client's query."""
    p.add(client_leg(udp_ip(c, r, cport, 53, query(ident, qname, qtype, rd=1)), False), dt=gap)
    for i, (srv, outcome) in enumerate(attempts):
        uid = (ident * 7 + 0x3C3C + i * 0x101) & 0xFFFF
        uport = 30000 + (ident * 13 + i * 977) % 30000
        q = udp_ip(r_up, srv, uport, 53, query(uid, qname, qtype, rd=0))
        p.add(up_leg(q, True), dt=1000 if i == 0 else 1000000)
        if outcome == "answer":
            p.add(up_leg(udp_ip(srv, r_up, 53, uport, response(uid, qname, qtype, rd=0, ra=0, aa=1,
                                                                addr=answer_addr)), False), dt=12000)
        elif outcome in ("refused", "servfail"):
            rc = REFUSED if outcome == "refused" else SERVFAIL
            p.add(up_leg(udp_ip(srv, r_up, 53, uport, response(uid, qname, qtype, rc, rd=0, ra=0)), False),
                  dt=11000)
        elif outcome == "icmp":
            p.add(up_leg(icmp_unreach(srv, r_up, q), False), dt=900)
    dt = servfail_after if servfail_after is not None else 1000
    p.add(client_leg(udp_ip(r, c, 53, cport, response(ident, qname, qtype, final,
                                                      addr=answer_addr if final == NOERROR else None)), True),
          dt=dt)


# ---------------------------------------------------------------- TCP connections
class Conn:
    """One TCP connection between a (client side) and b (server, port 53),
    as seen through leg; a_out: packets from a are sent by the resolver
    host.  Sequence numbers are tracked; segments are acknowledged as the
    peer's stack would."""

    def __init__(self, p, leg, a, b, aport, a_isn, b_isn, a_out, established=False):
        self.p, self.leg, self.a, self.b, self.aport = p, leg, a, b, aport
        self.a_seq, self.b_seq = a_isn, b_isn
        self.a_out = a_out
        if established:  # the handshake happened before the capture began
            self.a_seq += 1
            self.b_seq += 1

    def _a(self, flags, data=b"", opts=b"", dt=1000):
        self.p.add(self.leg(tcp(self.a, self.b, self.aport, 53, self.a_seq, self.b_seq, flags, data, opts),
                            self.a_out), dt)
        self.a_seq += len(data) + (1 if flags & (SYN | FIN) else 0)

    def _b(self, flags, data=b"", opts=b"", dt=1000, ack=True):
        self.p.add(self.leg(tcp(self.b, self.a, 53, self.aport, self.b_seq, self.a_seq if ack else 0, flags,
                                data, opts), not self.a_out), dt)
        self.b_seq += len(data) + (1 if flags & (SYN | FIN) else 0)

    def syn(self, data=b"", cookie=None, dt=1000):
        o = struct.pack("!BBH", 2, 4, 1460) + b"\x04\x02" + b"\x01\x03\x03\x07"  # MSS, SACK ok, WS 7
        if cookie is not None:
            o += struct.pack("!BB", 34, 2 + len(cookie)) + cookie  # TCP Fast Open (RFC 7413)
        self.p.add(self.leg(tcp(self.a, self.b, self.aport, 53, self.a_seq, 0, SYN, data, o), self.a_out), dt)
        self.a_seq += 1 + len(data)

    def synack(self, data=b"", dt=1000):
        o = struct.pack("!BBH", 2, 4, 1460) + b"\x04\x02" + b"\x01\x03\x03\x07"
        self.p.add(self.leg(tcp(self.b, self.a, 53, self.aport, self.b_seq, self.a_seq, SYN | ACK, data, o),
                            not self.a_out), dt)
        self.b_seq += 1 + len(data)

    def a_send(self, data, dt=1000):
        self._a(PSH | ACK, data, dt=dt)

    def b_send(self, data, dt=1000):
        self._b(PSH | ACK, data, dt=dt)

    def a_ack(self, dt=200):
        self._a(ACK, dt=dt)

    def b_ack(self, dt=200):
        self._b(ACK, dt=dt)

    def close(self, dt=1000):
        self._a(FIN | ACK, dt=dt)
        self._b(FIN | ACK, dt=200)
        self._a(ACK, dt=200)


# ---------------------------------------------------------------- captures
def geneve_dns():
    """Everything mirrored by a Geneve load balancer (GWLB options, inner IP
    without Ethernet): an IPv4 resolution answered; an IPv6 one whose two
    upstream attempts (two servers) time out, SERVFAIL 2.5 s after the
    first attempt."""
    p = Pcap()
    g = plain(geneve)
    resolution(p, g, g, CLIENT, RESOLVER, RESOLVER, 40001, 0x2101, "ok.geneve.example.net", A,
               [(AUTH1, "answer")], NOERROR, answer_addr="192.0.2.80")
    resolution(p, g, g, CLIENT6, RESOLVER6, RESOLVER6, 40002, 0x2102, "www.geneve.example.net", AAAA,
               [(AUTH1_6, "timeout"), (AUTH2_6, "timeout")], SERVFAIL, servfail_after=1500000)
    resolution(p, g, g, CLIENT, RESOLVER, RESOLVER, 40003, 0x2103, "ok.geneve.example.net", A,
               [(AUTH1, "answer")], NOERROR, answer_addr="192.0.2.80", gap=2000000)
    return p


def ipip_dns():
    """Resolver host, capture on its physical interface: clients reach it
    directly (10.9.0.1), its upstream queries leave through an IPv4-in-IPv4
    tunnel (inner source 10.255.0.1, outer 203.0.113.1 -> 203.0.113.254).
    The control resolution is answered; the failing one gets SERVFAIL
    (rcode 2) from the only authority, and the resolver answers SERVFAIL."""
    p = Pcap()
    b, t = plain(bare), tunnel4("203.0.113.1", "203.0.113.254")
    resolution(p, b, t, CLIENT, RESOLVER, "10.255.0.1", 40011, 0x2201, "ok.ipip.example.net", A,
               [(AUTH1, "answer")], NOERROR, answer_addr="192.0.2.81")
    resolution(p, b, t, CLIENT, RESOLVER, "10.255.0.1", 40012, 0x2202, "www.ipip.example.net", A,
               [(AUTH1, "servfail")], SERVFAIL)
    resolution(p, b, t, CLIENT, RESOLVER, "10.255.0.1", 40013, 0x2203, "ok.ipip.example.net", A,
               [(AUTH1, "answer")], NOERROR, answer_addr="192.0.2.81", gap=2000000)
    return p


def sit_dns():
    """Resolver host with IPv4-only access and IPv6 through a 6in4 (SIT,
    protocol 41) tunnel, capture on its physical interface: clients ask
    over IPv4 directly, the upstream IPv6 queries (from 2001:db8:4::2) are
    carried in IPv4 (203.0.113.2 -> 203.0.113.254).  Control answered over
    IPv6; the failing question's two IPv6 attempts time out, SERVFAIL."""
    p = Pcap()
    b, t = plain(bare), tunnel4("203.0.113.2", "203.0.113.254")
    up = "2001:db8:4::2"
    resolution(p, b, t, CLIENT, RESOLVER, up, 40021, 0x2301, "ok.sit.example.net", AAAA,
               [(AUTH1_6, "answer")], NOERROR, answer_addr="2001:db8:80::1")
    resolution(p, b, t, CLIENT, RESOLVER, up, 40022, 0x2302, "www.sit.example.net", AAAA,
               [(AUTH1_6, "timeout"), (AUTH2_6, "timeout")], SERVFAIL, servfail_after=1500000)
    resolution(p, b, t, CLIENT, RESOLVER, up, 40023, 0x2303, "ok.sit.example.net", AAAA,
               [(AUTH1_6, "answer")], NOERROR, answer_addr="2001:db8:80::1", gap=2000000)
    return p


def ip6tnl_dns():
    """Resolver host on an IPv6-only access: its upstream IPv4 queries go
    through DS-Lite (IPv4 in IPv6, next header 4, to the AFTR) and its
    upstream IPv6 queries through an IPv6-in-IPv6 tunnel (next header 41);
    clients ask over IPv6 directly.  Control answered over the IPv4-in-IPv6
    path; the failing question gets REFUSED over the IPv6-in-IPv6 path.
    The DS-Lite tunnel sends no Tunnel Encapsulation Limit (OpenWrt's
    ds-lite sets "encaplimit ignore"); the IPv6-in-IPv6 one sends Linux's
    default (a Destination Options header, limit 4)."""
    p = Pcap()
    b = plain(bare)
    dslite = tunnel6("2001:db8:ffff:1::2", "2001:db8:ffff:af7::1")
    v6v6 = tunnel6("2001:db8:ffff:1::2", "2001:db8:ffff:6::1", encap_limit=4)
    resolution(p, b, dslite, CLIENT6, RESOLVER6, "192.0.0.2", 40031, 0x2401, "ok.ip6tnl.example.net", A,
               [(AUTH1, "answer")], NOERROR, answer_addr="192.0.2.82")
    resolution(p, b, v6v6, CLIENT6, RESOLVER6, "2001:db8:6::2", 40032, 0x2402, "www.ip6tnl.example.net", AAAA,
               [(AUTH1_6, "refused")], SERVFAIL)
    resolution(p, b, dslite, CLIENT6, RESOLVER6, "192.0.0.2", 40033, 0x2403, "ok.ip6tnl.example.net", A,
               [(AUTH1, "answer")], NOERROR, answer_addr="192.0.2.82", gap=2000000)
    return p


def qinq_dns():
    """A provider trunk: every frame carries an 802.1ad S-tag (VLAN 100)
    and an 802.1Q C-tag (VLAN 11).  IPv4 and IPv6 controls answered; the
    failing question's attempts to two servers both get ICMP port
    unreachable, SERVFAIL."""
    p = Pcap()
    q = plain(qinq)
    resolution(p, q, q, CLIENT, RESOLVER, RESOLVER, 40041, 0x2501, "ok.qinq.example.net", A,
               [(AUTH1, "answer")], NOERROR, answer_addr="192.0.2.83")
    resolution(p, q, q, CLIENT6, RESOLVER6, RESOLVER6, 40042, 0x2502, "ok.qinq.example.net", AAAA,
               [(AUTH1_6, "answer")], NOERROR, answer_addr="2001:db8:80::3")
    resolution(p, q, q, CLIENT, RESOLVER, RESOLVER, 40043, 0x2503, "www.qinq.example.net", A,
               [(AUTH1, "icmp"), (AUTH2, "icmp")], SERVFAIL, servfail_after=20000)
    resolution(p, q, q, CLIENT, RESOLVER, RESOLVER, 40044, 0x2504, "ok.qinq.example.net", A,
               [(AUTH1, "answer")], NOERROR, answer_addr="192.0.2.83", gap=2000000)
    return p


def ipv6_tcp_midstream():
    """DNS over TCP over IPv6 whose handshakes are not in the capture (the
    capture began on long-lived connections): a client's connection to the
    resolver and the resolver's connection to an authority.  The capture
    starts with a bare ACK on each; query 1 is answered (upstream over UDP);
    query 2 goes upstream over the open TCP connection and gets SERVFAIL
    (rcode 2), and the resolver answers SERVFAIL on the client's connection.
    A third query 2 s later is answered; both connections then close."""
    p = Pcap()
    b = plain(bare)
    cl = Conn(p, b, CLIENT6, RESOLVER6, 50123, 0x1A2B3C4D, 0x5E6F7081, a_out=False, established=True)
    up = Conn(p, b, RESOLVER6, AUTH1_6, 41234, 0x0BADCAFE, 0x7FFFFF00, a_out=True, established=True)
    cl.a_ack(dt=1000)
    up.b_ack(dt=1000)
    # query 1: answered, upstream over UDP
    qn1 = "ok.midstream6.example.net"
    cl.a_send(framed(query(0x2601, qn1, AAAA, rd=1)), dt=100000)
    p.add(b(udp_ip(RESOLVER6, AUTH2_6, 33333, 53, query(0x9A01, qn1, AAAA, rd=0)), True))
    p.add(b(udp_ip(AUTH2_6, RESOLVER6, 53, 33333, response(0x9A01, qn1, AAAA, rd=0, ra=0, aa=1,
                                                           addr="2001:db8:80::4")), False), dt=9000)
    cl.b_send(framed(response(0x2601, qn1, AAAA, addr="2001:db8:80::4")))
    cl.a_ack()
    # query 2: upstream over the resolver's open TCP connection, SERVFAIL
    qn2 = "www.midstream6.example.net"
    cl.a_send(framed(query(0x2602, qn2, AAAA, rd=1)), dt=300000)
    up.a_send(framed(query(0x9A02, qn2, AAAA, rd=0)))
    up.b_ack(dt=8000)
    up.b_send(framed(response(0x9A02, qn2, AAAA, SERVFAIL, rd=0, ra=0)), dt=3000)
    up.a_ack()
    cl.b_send(framed(response(0x2602, qn2, AAAA, SERVFAIL)))
    cl.a_ack()
    # query 3, 2 s later: answered from the resolver's cache
    cl.a_send(framed(query(0x2603, qn1, AAAA, rd=1)), dt=2000000)
    cl.b_send(framed(response(0x2603, qn1, AAAA, addr="2001:db8:80::4")), dt=300)
    cl.a_ack()
    cl.close(dt=50000)
    up.close(dt=1000)
    return p


def tcp_fastopen_synack():
    """TCP Fast Open in both directions, resolver host: clients open their
    connection with the query in the SYN (TFO cookie option), and the
    resolver does the same upstream, where the authority sends its answer
    in the SYN-ACK (RFC 7413 allows data on both).  IPv4 first (answered),
    then IPv6, where the authority's SYN-ACK carries REFUSED and the
    resolver answers its client SERVFAIL."""
    p = Pcap()
    b = plain(bare)
    cookie_c, cookie_r = bytes.fromhex("5a17c0ffee00d00d"), bytes.fromhex("1badb002cafe0bad")
    for (c, r, auth, qn, qt, rc, addr, cport, uport, ident) in (
            (CLIENT, RESOLVER, AUTH1, "ok.tfo.example.net", A, NOERROR, "192.0.2.84", 51001, 42001, 0x2701),
            (CLIENT6, RESOLVER6, AUTH1_6, "www.tfo.example.net", AAAA, REFUSED, None, 51002, 42002, 0x2702)):
        cl = Conn(p, b, c, r, cport, 0x11111111 * (ident & 0xF), 0x22222222 * (ident & 0xF), a_out=False)
        cl.syn(framed(query(ident, qn, qt, rd=1)), cookie=cookie_c, dt=1000000)
        cl.synack()
        cl.a_ack(dt=300)
        uid = ident ^ 0xFFFF
        up = Conn(p, b, r, auth, uport, 0x33333333 * (ident & 0xF), 0x44444444 * (ident & 0xF), a_out=True)
        up.syn(framed(query(uid, qn, qt, rd=0)), cookie=cookie_r, dt=500)
        up.synack(framed(response(uid, qn, qt, rc, rd=0, ra=0, aa=1 if rc == NOERROR else 0, addr=addr)),
                  dt=10000)
        up.a_ack(dt=100)
        final = NOERROR if rc == NOERROR else SERVFAIL
        cl.b_send(framed(response(ident, qn, qt, final, addr=addr)), dt=300)
        cl.a_ack()
        up.close(dt=500)
        cl.close(dt=500)
    p.add(b(udp_ip(CLIENT, RESOLVER, 40051, 53, query(0x2703, "ok.tfo.example.net", A, rd=1)), False),
          dt=2000000)
    p.add(b(udp_ip(RESOLVER, CLIENT, 53, 40051, response(0x2703, "ok.tfo.example.net", A, addr="192.0.2.84")),
            True), dt=300)
    return p


CAPTURES = {
    "geneve-dns.pcap": geneve_dns,
    "ipip-dns.pcap": ipip_dns,
    "sit-6in4-dns.pcap": sit_dns,
    "ip6tnl-dns.pcap": ip6tnl_dns,
    "qinq-dns.pcap": qinq_dns,
    "ipv6-tcp-midstream.pcap": ipv6_tcp_midstream,
    "tcp-fastopen-synack.pcap": tcp_fastopen_synack,
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    for fn, make in CAPTURES.items():
        _ident[0] = 0x1000
        data = bytes(make().b)
        with open(os.path.join(out, fn), "wb") as f:
            f.write(data)
        print("%-26s %6d bytes" % (fn, len(data)))


if __name__ == "__main__":
    main()
