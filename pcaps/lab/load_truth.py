#!/usr/bin/python3
"""Ground truth for one mixed-load lab capture (make.sh LAB_MODE=load; can be rerun alone).

    load_truth.py --resolver R --pcap R.pcap --queries R.queries.tsv \\
        --aliases pcaps/lab/aliases.tsv --truth R.truth.tsv --summary R.summary.txt

One line per client query, keyed by (client, client_port, id): loadgen.py
gives every query a fresh socket and an id unique per (address, port), so
the key is unique although the names repeat. From what was injected:
  - the name is followed along the CNAME chain of aliases.tsv to the zone it
    finally lands in; the fault of that zone (the table FAULTS, the same
    faults as the sequential lab, see NOTES.md) is the cause of a failure;
  - received NOERROR/NXDOMAIN: '-' (a name hit by a fault that was answered
    anyway is noted: e.g. BIND and Knot Resolver recover from fragment loss);
  - a failure (SERVFAIL or no answer) of a name in a fault zone that the
    fault itself does not touch (www.tcdrop.lab A: a small answer) keeps the
    zone's fault as its root cause (the resolver held the servers down or
    failed the zone): noted;
  - a failure of a healthy name: 'unknown', noted (it should not happen);
  - repeats carry the root cause (design.md); `via` is the truth's best
    reading of how a SERVFAIL came about:
      coalesced     an identical question (another client's) was still
                    waiting when this one came and both got their SERVFAIL
                    within 20 ms of each other;
      upstream      the resolver sent an upstream query for a name on this
                    query's chain (or the final zone's apex, or an NS name
                    of nsnx) between this query and its SERVFAIL;
      failure_cache no such query, and the same question failed before
                    (within 60 s), or the zone's failure is in content
                    (DNSSEC, NS names NXDOMAIN);
      held_down     no such query, the question is new, the zone's servers
                    fail by address (silent, dead, prohib, v6dead, tcdrop,
                    tcreset, frag, lame, servfail);
    unanswered queries: via '-'.
The note of a repeat names its root (the latest earlier failure with via
upstream, or unanswered, of the same question, else of the same zone).

Checks (exit 1 on any): every query of loadgen's TSV is in the capture and
every client query in the capture is in the TSV; tshark's own counts of
client queries and SERVFAILs equal the truth's.
"""
import argparse
import bisect
import collections
import ipaddress
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import truth as seq  # noqa: E402  (the sequential lab's tshark helpers)

CLIENT_NETS = [ipaddress.ip_network("10.53.1.0/24"), ipaddress.ip_network("fd53:1::/64")]
RESOLVER = {"10.53.1.1", "fd53:1::1"}
RES_UPSTREAM = seq.RES_UPSTREAM
FAULTS = {
    "silent": ("timeout", "all_servers_silent"),
    "dead": ("blocked_port", "icmp_port_unreachable"),
    "prohib": ("blocked_port", "icmp_admin_prohibited"),
    "v6dead": ("blocked_port", "icmp_port_unreachable"),
    "tcdrop": ("truncation", "tcp_timeout"),
    "tcreset": ("truncation", "tcp_reset"),
    "frag": ("truncation", "fragment_loss"),
    "badsig": ("dnssec_validation", "bad_signature"),
    "expired": ("dnssec_validation", "signature_expired"),
    "dsmismatch": ("dnssec_validation", "ds_mismatch"),
    "unsigned": ("dnssec_validation", "rrsig_missing"),
    "lame": ("upstream_error", "refused"),
    "servfail": ("upstream_error", "servfail"),
    "nsnx": ("upstream_error", "lame_delegation"),
}
HEALTHY_ZONES = {"ok", "v6only"}
# faults that touch only some names of their zone: (label, qtype) pairs hit
PARTIAL = {
    "badsig": {("www", "A"), ("www", "AAAA"), ("", "MX")},
    "tcdrop": {("big1", "TXT"), ("big2", "TXT")},
    "tcreset": {("big1", "TXT"), ("big2", "TXT")},
    "frag": {("txt1", "TXT"), ("txt2", "TXT")},
}
HELD_DOWN_FAULTS = {"silent", "dead", "prohib", "v6dead", "tcdrop", "tcreset", "frag", "lame", "servfail"}
EXTRA_NAMES = {"nsnx": ["ns.nowhere.lab.", "nowhere.lab.", "ns.nowhere-tld.", "nowhere-tld."]}
# per resolver: faults it is known to work around (NOTES.md)
RECOVERS = {"bind": {"frag"}, "kresd": {"frag"}}


def is_client(a):
    if not a or a in RESOLVER:
        return False
    ip = ipaddress.ip_address(a)
    return any(ip in n for n in CLIENT_NETS)


def read_aliases(path):
    cn = {}
    for line in open(path):
        if line.strip() and not line.startswith("#"):
            o, t = line.split()[:2]
            cn[seq.norm_name(o)] = seq.norm_name(t)
    return cn


def chain_of(qname, qtype, cn):
    ch = [qname]
    while qtype != "CNAME" and ch[-1] in cn and len(ch) < 10:
        ch.append(cn[ch[-1]])
    return ch


def zone_of(name):
    """'<child>' for names in a child zone of lab., 'lab' for the TLD's own names."""
    labels = name.rstrip(".").split(".")
    if len(labels) >= 2 and labels[-1] == "lab":
        return labels[-2] if len(labels) >= 2 and labels[-2] in (set(FAULTS) | HEALTHY_ZONES) else "lab"
    return "?"


def main():
    ap = argparse.ArgumentParser()
    for a in ("resolver", "pcap", "queries", "aliases", "truth", "summary"):
        ap.add_argument("--" + a, dest=a, required=True)
    ap.add_argument("--timeout", type=float, default=12, help="loadgen's wait for an answer")
    args = ap.parse_args()
    errors = []
    cn = read_aliases(args.aliases)

    qs = []
    for line in open(args.queries):
        if line.startswith("#") or not line.strip():
            continue
        f = line.rstrip("\n").split("\t")
        qs.append({"client": f[0], "port": int(f[1]), "proto": f[2], "id": int(f[3]), "qname": seq.norm_name(f[4]),
                   "qtype": f[5], "kind": f[6], "t_send": float(f[7]), "lg_received": f[9], "note": []})
    by_key = {(q["client"], q["port"], q["id"]): q for q in qs}
    if len(by_key) != len(qs):
        errors.append("loadgen's (client, port, id) keys are not unique")

    msgs = seq.dns_messages(args.pcap, "")
    cq, cresp = {}, collections.defaultdict(list)
    up_by_name = collections.defaultdict(list)
    for m in msgs:
        if not m["resp"] and m["dst"] in RESOLVER and m["dport"] == 53 and is_client(m["src"]):
            k = (m["src"], m["sport"], m["id"])
            if k in cq:
                if (cq[k]["qname"], cq[k]["qtype"]) != (m["qname"], m["qtype"]):
                    errors.append("two questions on one key %s" % (k,))
                continue
            cq[k] = m
        elif m["resp"] and m["src"] in RESOLVER and m["sport"] == 53 and is_client(m["dst"]):
            cresp[(m["dst"], m["dport"], m["id"])].append(m)
        elif not m["resp"] and m["src"] in RES_UPSTREAM and m["dport"] == 53:
            up_by_name[m["qname"]].append(m["t"])
    for v in up_by_name.values():
        v.sort()

    def upstream_between(names, ta, tb):
        for n in names:
            v = up_by_name.get(n)
            if v:
                i = bisect.bisect_right(v, ta)
                if i < len(v) and v[i] <= tb:
                    return True
        return False

    for k in cq:
        if k not in by_key:
            errors.append("client query in the capture not sent by loadgen: %s %s %s" % (k + (cq[k]["qname"],)))
    lines = []
    for q in qs:
        k = (q["client"], q["port"], q["id"])
        m = cq.get(k)
        if m is None:
            errors.append("loadgen query not in the capture: %s %s %s %s" % (k + (q["qname"],)))
            continue
        if (m["qname"], m["qtype"], m["proto"]) != (q["qname"], q["qtype"], q["proto"]):
            errors.append("question differs for %s: %s %s %s" % (k, m["qname"], m["qtype"], m["proto"]))
        rs = [r for r in cresp.get(k, []) if r["t"] >= m["t"]]
        resp = rs[0] if rs else None
        q["m"], q["resp"] = m, resp
        q["t"] = m["t"]
        q["received"] = resp["rcode"] if resp else "no-answer"
        q["latency"] = (resp["t"] - m["t"]) if resp else None
        if resp and resp["tc"]:
            q["note"].append("TC=1")
        if resp is None and q["lg_received"] not in ("no-answer", "tcp-closed", "tcp-error"):
            errors.append("loadgen got %s for %s but the capture has no answer" % (q["lg_received"], k))
        if resp is not None and q["lg_received"] in ("no-answer", "tcp-closed", "tcp-error"):
            q["note"].append("answered after %.3f s, after loadgen had given up (%s)" % (q["latency"], q["lg_received"]))
        elif resp is not None and q["lg_received"] != q["received"]:
            errors.append("loadgen got %s for %s, the capture %s" % (q["lg_received"], k, q["received"]))
        if q["lg_received"] == "tcp-closed":
            q["note"].append("the resolver closed the TCP connection without an answer")
        lines.append(q)
    lines.sort(key=lambda q: q["t"])
    t_end = max(m["t"] for m in msgs) if msgs else 0
    for q in lines:
        if q["resp"] is None and t_end - q["t"] < 30:
            q["note"].append("the capture ends %.1f s after this query" % (t_end - q["t"]))

    # causes
    for q in lines:
        ch = chain_of(q["qname"], q["qtype"], cn)
        final = ch[-1]
        z = zone_of(final)
        q["chain"], q["zone"] = ch, z
        if len(ch) > 1:
            q["note"].append("CNAME chain to " + final)
        hit = z in FAULTS
        if z in PARTIAL:
            label = final[:-len(z + ".lab.")].rstrip(".")
            hit = (label, q["qtype"]) in PARTIAL[z]
        q["hit"], q["via"] = hit, "-"
        if q["received"] in ("NOERROR", "NXDOMAIN"):
            q["cause"], q["detail"] = "-", "-"
            if hit:
                q["note"].append("answered despite the fault (%s%s)" % (
                    FAULTS[z][1], ": this resolver recovers" if z in RECOVERS.get(args.resolver, ()) else ""))
            continue
        if z not in FAULTS:
            q["cause"], q["detail"] = "unknown", "-"
            q["note"].append("healthy name failed under load")
            continue
        q["cause"], q["detail"] = FAULTS[z]
        if not hit:
            q["note"].append("name in the fault zone not hit by the fault itself: the zone's failure state (root %s/%s)" % FAULTS[z])
        if q["received"] not in ("SERVFAIL", "no-answer"):
            q["note"].append("unexpected rcode")

    # via, and the root of each repeat
    by_q = collections.defaultdict(list)
    for q in lines:
        by_q[(q["qname"], q["qtype"])].append(q)
    roots_q, roots_z = {}, {}
    for q in lines:
        failed = q["received"] not in ("NOERROR", "NXDOMAIN")
        if not failed or q["cause"] in ("-", "unknown"):
            continue
        if q["received"] == "SERVFAIL":
            names = set(q["chain"]) | {q["zone"] + ".lab."} | set(EXTRA_NAMES.get(q["zone"], []))
            t_r = q["resp"]["t"]
            co = None
            for o in by_q[(q["qname"], q["qtype"])]:
                if o["t"] >= q["t"]:
                    break
                if o["client"] == q["client"] and o["port"] == q["port"]:
                    continue
                if o["resp"] is not None and o["received"] == "SERVFAIL" and o["resp"]["t"] >= q["t"] \
                        and abs(o["resp"]["t"] - t_r) < 0.02:
                    co = o
                    break
            if co is not None:
                q["via"] = "coalesced"
                q["note"].append("coalesced with %s:%d id %d" % (co["client"], co["port"], co["id"]))
            elif upstream_between(names, q["t"], t_r):
                q["via"] = "upstream"
            else:
                prev = [o for o in by_q[(q["qname"], q["qtype"])]
                        if q["t"] - 60 <= o["t"] < q["t"] and o["received"] not in ("NOERROR", "NXDOMAIN")]
                if prev:
                    q["via"] = "failure_cache"
                elif q["zone"] in HELD_DOWN_FAULTS:
                    q["via"] = "held_down"
                else:
                    q["via"] = "failure_cache"
        if q["via"] in ("upstream", "-"):
            roots_q[(q["qname"], q["qtype"])] = q
            roots_z[q["zone"]] = q
            continue
        r = roots_q.get((q["qname"], q["qtype"])) or roots_z.get(q["zone"])
        if r is not None:
            q["note"].append("repeats %s %s:%d id %d %s %s (%s)" % (
                seq.iso(r["m"]["ts"]), r["client"], r["port"], r["id"], r["qname"], r["qtype"], r["received"]))
        else:
            q["note"].append("no earlier failure of this question or zone in the capture")

    with open(args.truth, "w") as f:
        f.write("# time\tclient\tclient_port\ttransport\tid\tqname\tqtype\treceived\tkind\tcause\tdetail\tvia\tnote\n")
        for q in lines:
            f.write("\t".join([seq.iso(q["m"]["ts"]), q["client"], str(q["port"]), q["proto"], str(q["id"]),
                               q["qname"], q["qtype"], q["received"], q["kind"], q["cause"], q["detail"], q["via"],
                               "; ".join(q["note"]) or "-"]) + "\n")

    # independent tshark counts
    P = args.pcap
    cl = "(ip.dst==10.53.1.0/24 || ipv6.dst==fd53:1::/64)"
    cs = "(ip.src==10.53.1.0/24 || ipv6.src==fd53:1::/64)"
    noicmp = " && !icmp && !icmpv6"
    c = collections.OrderedDict()
    c["client queries (messages)"] = seq.count_msgs(P, "dns.flags.response==0 && %s && !(ip.src==10.53.1.1 || ipv6.src==fd53:1::1)%s" % (cs, noicmp))
    c["client responses"] = seq.count_msgs(P, "dns.flags.response==1 && %s && !(ip.dst==10.53.1.1 || ipv6.dst==fd53:1::1)%s" % (cl, noicmp))
    for rc, n in (("NOERROR", 0), ("NXDOMAIN", 3), ("SERVFAIL", 2), ("REFUSED", 5)):
        c["client responses %s" % rc] = seq.count_msgs(P, "dns.flags.response==1 && dns.flags.rcode==%d && %s%s" % (n, cl, noicmp))
    c["client responses with EDE"] = seq.count_msgs(P, "dns.flags.response==1 && dns.opt.code==15 && %s%s" % (cl, noicmp))
    up = "(ip.src==10.53.0.1 || ip.src==10.53.2.1 || ipv6.src==fd53::1)"
    upd = "(ip.dst==10.53.0.1 || ip.dst==10.53.2.1 || ipv6.dst==fd53::1)"
    c["upstream queries"] = seq.count_msgs(P, "dns.flags.response==0 && %s%s" % (up, noicmp))
    c["upstream responses"] = seq.count_msgs(P, "dns.flags.response==1 && %s%s" % (upd, noicmp))
    c["upstream TCP SYN"] = seq.count(P, "tcp.flags.syn==1 && tcp.flags.ack==0 && tcp.dstport==53 && %s" % up)
    c["ICMP/ICMPv6 errors"] = seq.count(P, "icmp.type==3 || icmp.type==11 || icmpv6.type==1")
    c["IPv4 first fragments (MF=1, offset 0)"] = seq.count(P, "ip.flags.mf==1 && ip.frag_offset==0")
    c["frames"] = seq.count(P, "frame")
    t_sf = sum(1 for q in lines if q["received"] == "SERVFAIL")
    if c["client responses SERVFAIL"] != t_sf:
        errors.append("tshark counts %d SERVFAIL to clients, truth %d" % (c["client responses SERVFAIL"], t_sf))
    if c["client queries (messages)"] != len(lines):
        errors.append("tshark counts %d client queries, truth %d" % (c["client queries (messages)"], len(lines)))

    with open(args.summary, "w") as f:
        byrec = collections.Counter(q["received"] for q in lines)
        f.write("%s (mixed load): %d client queries from %d addresses (%d UDP, %d TCP; %d from IPv6), received: %s\n" % (
            args.resolver, len(lines), len({q["client"] for q in lines}),
            sum(q["proto"] == "udp" for q in lines), sum(q["proto"] == "tcp" for q in lines),
            sum(":" in q["client"] for q in lines), ", ".join("%s %d" % kv for kv in sorted(byrec.items()))))
        f.write("truth causes (failures): %s\n" % ", ".join("%s/%s %d" % (k[0], k[1], v) for k, v in sorted(
            collections.Counter((q["cause"], q["detail"]) for q in lines if q["cause"] != "-").items())))
        f.write("truth via (SERVFAILs): %s\n" % ", ".join("%s %d" % kv for kv in sorted(
            collections.Counter(q["via"] for q in lines if q["received"] == "SERVFAIL").items())))
        f.write("healthy names that failed: %d; faulty names answered: %d\n" % (
            sum(q["cause"] == "unknown" for q in lines),
            sum(1 for q in lines if q["hit"] and q["received"] in ("NOERROR", "NXDOMAIN"))))
        t0 = lines[0]["t"] if lines else 0
        f.write("load: %.1f s of client queries, peak %d outstanding\n" % (
            (lines[-1]["t"] - t0) if lines else 0, peak_outstanding(lines)))
        f.write("\ntshark counts (DNS messages, not frames; ICMP-quoted DNS excluded):\n")
        for k, v in c.items():
            f.write("  %-40s %d\n" % (k, v))
        f.write("\nper final zone (received; SERVFAIL latency range):\n")
        zs = collections.defaultdict(list)
        for q in lines:
            zs[q["zone"]].append(q)
        for z in sorted(zs):
            ls = zs[z]
            cnt = collections.Counter(q["received"] for q in ls)
            lat = [q["latency"] for q in ls if q["received"] == "SERVFAIL"]
            via = collections.Counter(q["via"] for q in ls if q["via"] != "-")
            f.write("  %-11s %-45s %s%s\n" % (z, ", ".join("%s %d" % kv for kv in sorted(cnt.items())),
                                              ("SERVFAIL after %.3f-%.3f s  " % (min(lat), max(lat))) if lat else "",
                                              ", ".join("%s %d" % kv for kv in sorted(via.items()))))
        f.write("\nper kind of query (loadgen.py):\n")
        for kind in sorted({q["kind"] for q in lines}):
            cnt = collections.Counter(q["received"] for q in lines if q["kind"] == kind)
            f.write("  %-14s %s\n" % (kind, ", ".join("%s %d" % kv for kv in sorted(cnt.items()))))
        if errors:
            f.write("\nERRORS:\n" + "".join("  %s\n" % e for e in errors))
    for e in errors[:50]:
        print("load_truth.py: %s: %s" % (args.resolver, e), file=sys.stderr)
    return 1 if errors else 0


def peak_outstanding(lines):
    ev = []
    for q in lines:
        ev.append((q["t"], 1))
        ev.append((q["resp"]["t"] if q["resp"] else q["t"] + 12, -1))
    n = peak = 0
    for _, d in sorted(ev):
        n += d
        peak = max(peak, n)
    return peak


if __name__ == "__main__":
    sys.exit(main())
