#!/usr/bin/python3
"""The lab's load client (make.sh's mixed-load mode runs it in the client namespace).

Many stub clients at once against one resolver: each client is a source
address (IPv4 and IPv6); every query comes from a fresh socket (a new source
port, a random DNS id), over UDP or (some) TCP, with RD=1, AD=1 and EDNS 1232
like dig. One try per query, no retransmission: a query the resolver does
not answer within --timeout seconds is recorded as no-answer.

The workload is drawn from a seeded generator (the same seed gives the same
sequence of questions, clients and transports): healthy names, the names of
every fault zone (the fixed ones again and again, so that they hit the
resolver's failure caches, and fresh names n<k>.<zone>), names in fault
zones the fault does not touch (controls), CNAME chains from the healthy
zones into the failing ones (aliases.tsv), and bursts of the identical
question from several clients within a few milliseconds (coalescing).

Writes one TSV line per query (see HEADER). Python 3 standard library only.
"""
import argparse
import heapq
import os
import random
import resource
import selectors
import socket
import struct
import sys
import time

QT = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "MX": 15, "TXT": 16, "AAAA": 28, "SRV": 33, "DS": 43, "DNSKEY": 48}
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}
HEADER = ("# client\tclient_port\ttransport\tid\tqname\tqtype\tkind\tt_send\tt_recv\treceived\ttc\tlatency_ms\n")

HEALTHY = [("www.ok.lab.", "A"), ("www.ok.lab.", "AAAA"), ("mail.ok.lab.", "A"), ("ok.lab.", "MX"),
           ("alias.ok.lab.", "A"), ("www.v6only.lab.", "AAAA"), ("www.v6only.lab.", "A"),
           ("v6only.lab.", "SOA"), ("www.lab.", "A"), ("www.lab.", "AAAA"), ("_sip._udp.ok.lab.", "SRV"),
           ("nx.ok.lab.", "A"), ("nosuch.lab.", "A"), ("ok.lab.", "DNSKEY"), ("mail.v6only.lab.", "AAAA")]
# names inside fault zones that the fault itself does not touch (small
# answers of the TCP and fragment zones; a validly signed name of badsig)
CONTROLS = [("www.tcdrop.lab.", "A"), ("www.tcreset.lab.", "A"), ("www.frag.lab.", "A"),
            ("mail.badsig.lab.", "A")]
ADDRESS_FAULTS = ["silent", "dead", "prohib", "v6dead"]
ANY_NAME_FAULTS = ADDRESS_FAULTS + ["lame", "servfail", "nsnx", "expired", "dsmismatch", "unsigned"]
FAULT_NAMES = {z: [("www.%s.lab." % z, "A"), ("www.%s.lab." % z, "AAAA"), ("%s.lab." % z, "MX"),
                   ("mail.%s.lab." % z, "A")] for z in ANY_NAME_FAULTS}
FAULT_NAMES["badsig"] = [("www.badsig.lab.", "A"), ("www.badsig.lab.", "AAAA"), ("badsig.lab.", "MX")]
for z in ("tcdrop", "tcreset"):
    FAULT_NAMES[z] = [("big1.%s.lab." % z, "TXT"), ("big2.%s.lab." % z, "TXT")]
FAULT_NAMES["frag"] = [("txt1.frag.lab.", "TXT"), ("txt2.frag.lab.", "TXT")]


def read_aliases(path):
    """aliases.tsv: {owner: target}."""
    cn = {}
    for line in open(path):
        if line.strip() and not line.startswith("#"):
            o, t = line.split()[:2]
            cn[o.lower()] = t.lower()
    return cn


def alias_questions(path):
    """The CNAME owners of aliases.tsv that start a chain (not the middle
    hops), asked with the type the chain's final name has."""
    cn = read_aliases(path)
    qs = []
    for o in sorted(cn):
        if o in cn.values():
            continue
        t, hops = o, 0
        while t in cn and hops < 8:
            t, hops = cn[t], hops + 1
        qtype = "TXT" if t.split(".")[0] in ("big1", "big2", "txt1", "txt2") else "A"
        qs.append((o, qtype))
        if qtype == "A":
            qs.append((o, "AAAA"))
    return qs


def workload(rng, duration, rate, aliases, nclients):
    """[(t_offset, client index, transport, qname, qtype, kind)] sorted by time."""
    plan = []
    t = 0.2
    while True:
        t += rng.expovariate(rate)
        if t >= duration:
            break
        x = rng.random()
        if x < 0.45:
            kind = "healthy"
            if rng.random() < 0.1:
                q = ("h%d.ok.lab." % rng.randrange(1000), "A")   # NXDOMAIN, new each time
            else:
                q = rng.choice(HEALTHY)
        elif x < 0.80:
            kind = "fault"
            z = rng.choice(sorted(FAULT_NAMES))
            if z in ANY_NAME_FAULTS and rng.random() < 0.25:
                q = ("n%d.%s.lab." % (rng.randrange(60), z), rng.choice(("A", "AAAA")))
            else:
                q = rng.choice(FAULT_NAMES[z])
        elif x < 0.85:
            kind = "control"
            q = rng.choice(CONTROLS)
        else:
            kind = "alias"
            q = rng.choice(aliases)
        proto = "tcp" if rng.random() < 0.10 else "udp"
        plan.append((t, rng.randrange(nclients), proto, q[0], q[1], kind))
    # big.ok.lab TXT (2.1 KB) over TCP: a healthy TCP answer
    t = 0.5
    while t < duration:
        plan.append((t, rng.randrange(nclients), "tcp", "big.ok.lab.", "TXT", "healthy"))
        t += 3 + rng.random() * 2
    # bursts: 3-5 clients ask the identical question within 0-4 ms
    t = 0.3
    while True:
        t += rng.expovariate(1.0)
        if t >= duration:
            break
        y = rng.random()
        if y < 0.5:
            z = rng.choice(sorted(FAULT_NAMES))
            q, kind = rng.choice(FAULT_NAMES[z]), "burst-fault"
        elif y < 0.75:
            q, kind = rng.choice(aliases), "burst-alias"
        else:
            q, kind = rng.choice(HEALTHY), "burst-healthy"
        who = rng.sample(range(nclients), rng.randint(3, 5))
        for i, c in enumerate(who):
            plan.append((t + (0 if i == 0 else rng.random() * 0.004), c,
                         "tcp" if rng.random() < 0.1 else "udp", q[0], q[1], kind))
    plan.sort()
    return plan


def build_query(qid, qname, qtype):
    # RD=1, AD=1 (as dig: PowerDNS Recursor then validates), EDNS 1232, DO=0
    msg = struct.pack("!HHHHHH", qid, 0x0120, 1, 0, 0, 1)
    for label in qname.rstrip(".").split(".") if qname != "." else []:
        msg += bytes([len(label)]) + label.encode()
    msg += b"\0" + struct.pack("!HH", QT[qtype], 1)
    msg += b"\0" + struct.pack("!HHIH", 41, 1232, 0, 0)
    return msg


class Query:
    __slots__ = ("t_plan", "client", "proto", "qname", "qtype", "kind", "sock", "port", "id", "t_send",
                 "t_recv", "received", "tc", "deadline", "buf", "msg", "done")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", required=True, help="comma-separated source addresses")
    ap.add_argument("--server4", required=True)
    ap.add_argument("--server6", required=True)
    ap.add_argument("--aliases", required=True)
    ap.add_argument("--duration", type=float, default=60)
    ap.add_argument("--rate", type=float, default=35, help="queries per second (besides bursts)")
    ap.add_argument("--timeout", type=float, default=12)
    ap.add_argument("--seed", type=int, default=53)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    clients = args.clients.split(",")
    rng = random.Random(args.seed)
    plan = workload(rng, args.duration, args.rate, alias_questions(args.aliases), len(clients))
    used = set()
    sel = selectors.DefaultSelector()
    deadlines = []   # heap of (deadline, seq, Query)
    queries = []
    t0 = time.time()
    i = 0
    seq = 0

    def finish(q, received, tc=0):
        if q.done:
            return
        q.done = True
        q.received, q.tc = received, tc
        q.t_recv = time.time() if received not in ("no-answer",) else None
        try:
            sel.unregister(q.sock)
        except (KeyError, ValueError):
            pass
        q.sock.close()

    def on_event(q, mask):
        if q.done:
            return
        if q.proto == "udp":
            try:
                data = q.sock.recv(65535)
            except OSError:
                return   # an ICMP error: keep waiting (the resolver may still answer)
            if len(data) >= 4 and struct.unpack("!H", data[:2])[0] == q.id and data[2] & 0x80:
                flags = struct.unpack("!H", data[2:4])[0]
                finish(q, RCODES.get(flags & 0xF, str(flags & 0xF)), (flags >> 9) & 1)
            return
        if mask & selectors.EVENT_WRITE and q.buf is None:
            err = q.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                finish(q, "tcp-error")
                return
            q.sock.send(struct.pack("!H", len(q.msg)) + q.msg)
            q.buf = b""
            sel.modify(q.sock, selectors.EVENT_READ, q)
            return
        try:
            data = q.sock.recv(65535)
        except OSError:
            finish(q, "tcp-error")
            return
        if not data:
            finish(q, "tcp-closed")
            return
        q.buf += data
        if len(q.buf) >= 2:
            n = struct.unpack("!H", q.buf[:2])[0]
            if len(q.buf) >= 2 + n and n >= 4:
                flags = struct.unpack("!H", q.buf[4:6])[0]
                finish(q, RCODES.get(flags & 0xF, str(flags & 0xF)), (flags >> 9) & 1)

    def send(p):
        nonlocal seq
        t_plan, ci, proto, qname, qtype, kind = p
        q = Query()
        q.t_plan, q.client, q.proto, q.qname, q.qtype, q.kind = t_plan, clients[ci], proto, qname, qtype, kind
        q.done, q.buf, q.tc, q.t_recv = False, None, 0, None
        fam = socket.AF_INET6 if ":" in q.client else socket.AF_INET
        server = args.server6 if fam == socket.AF_INET6 else args.server4
        s = socket.socket(fam, socket.SOCK_DGRAM if proto == "udp" else socket.SOCK_STREAM)
        s.setblocking(False)
        s.bind((q.client, 0))
        q.port = s.getsockname()[1]
        while True:   # (client, port, id) is unique over the run: the truth's key
            q.id = rng.randrange(65536)
            if (q.client, q.port, q.id) not in used:
                break
        used.add((q.client, q.port, q.id))
        q.msg = build_query(q.id, qname, qtype)
        q.sock = s
        q.t_send = time.time()
        if proto == "udp":
            s.connect((server, 53))
            s.send(q.msg)
            sel.register(s, selectors.EVENT_READ, q)
        else:
            s.connect_ex((server, 53))
            sel.register(s, selectors.EVENT_WRITE, q)
        q.deadline = q.t_send + args.timeout
        seq += 1
        heapq.heappush(deadlines, (q.deadline, seq, q))
        queries.append(q)

    while i < len(plan) or deadlines:
        now = time.time()
        while i < len(plan) and t0 + plan[i][0] <= now:
            send(plan[i])
            i += 1
        while deadlines and (deadlines[0][2].done or deadlines[0][0] <= now):
            d, _, q = heapq.heappop(deadlines)
            if not q.done:
                finish(q, "no-answer")
        nxt = [x for x in ((t0 + plan[i][0]) if i < len(plan) else None,
                           deadlines[0][0] if deadlines else None) if x is not None]
        if not nxt:
            break
        timeout = max(0.0, min(nxt) - time.time())
        if not sel.get_map():
            time.sleep(min(timeout, 0.5))
            continue
        for key, mask in sel.select(timeout):
            on_event(key.data, mask)

    with open(args.out + ".tmp", "w") as f:
        f.write(HEADER)
        for q in sorted(queries, key=lambda q: q.t_send):
            f.write("\t".join([q.client, str(q.port), q.proto, str(q.id), q.qname, q.qtype, q.kind,
                               "%.6f" % q.t_send, "%.6f" % q.t_recv if q.t_recv else "-", q.received, str(q.tc),
                               "%.1f" % ((q.t_recv - q.t_send) * 1000) if q.t_recv else "-"]) + "\n")
    os.rename(args.out + ".tmp", args.out)
    by = {}
    for q in queries:
        by[q.received] = by.get(q.received, 0) + 1
    print("loadgen: %d queries in %.1f s: %s" % (len(queries), time.time() - t0,
                                                ", ".join("%s %d" % kv for kv in sorted(by.items()))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
