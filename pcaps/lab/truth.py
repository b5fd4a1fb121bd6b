#!/usr/bin/python3
"""Ground truth for one lab capture (called by make.sh; can be rerun alone).

Reads the capture with tshark, finds every client query (one per client
address, client port, transport, DNS id, name and type: dig's UDP retries
come from new ports, so each try is its own line), what the resolver sent
back to that port, and which scripted client query (invocations.tsv, written
by make.sh) it belongs to. The cause is the fault the scenario injected,
except:
  - the client got an answer (NOERROR/NXDOMAIN): '-';
  - a healthy control failed: 'unknown' (and the summary says so);
  - a repeat (design.md: "a repeat carries its root cause"): SERVFAIL with
    no upstream packet for the scenario's zone or servers between the query
    and the answer keeps the cause of the failure it repeats (the
    scenario's injected fault), and the `via` column says how it came
    about: failure_cache (an earlier failed query of the same name and
    type, or the zone's failure state: NS names known NXDOMAIN, a bogus
    DNSKEY), held_down (the zone's servers marked bad after earlier
    failures: address faults); a SERVFAIL sent within 20 ms of the one of
    an identical question that was still waiting is coalesced; any other
    SERVFAIL is upstream.
Also counts, independently with tshark display filters, what the capture
holds, checks them against the truth, and writes the summary.
"""
import argparse
import collections
import datetime
import subprocess
import sys

CLIENTS = {"10.53.1.2", "10.53.1.3", "fd53:1::2", "fd53:1::3"}
RES_CLIENT_SIDE = {"10.53.1.1", "fd53:1::1"}
RES_UPSTREAM = {"10.53.0.1", "fd53::1", "10.53.2.1"}
QTYPES = {1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX", 16: "TXT", 28: "AAAA",
          33: "SRV", 43: "DS", 46: "RRSIG", 47: "NSEC", 48: "DNSKEY", 255: "ANY"}
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}
# servers and extra name suffixes that belong to each scenario's fault
SCN_SERVERS = {
    "silent": {"10.53.0.14", "fd53::14"}, "dead": {"10.53.0.13", "fd53::13"},
    "prohib": {"10.53.0.17", "fd53::17"}, "tcdrop": {"10.53.0.15", "fd53::15"},
    "tcreset": {"10.53.0.16", "fd53::16"}, "frag": {"10.53.2.20"}, "v6dead": {"fd53::31"},
}
SCN_SUFFIXES = {"nsnx": ["nowhere.lab.", "nowhere-tld."]}


def tshark(pcap, dfilter, fields):
    cmd = ["tshark", "-r", pcap, "-n", "-Y", dfilter, "-T", "fields", "-E", "separator=\t",
           "-E", "occurrence=a", "-E", "aggregator=,"]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines()]


def iso(ts):
    sec, _, frac = ts.partition(".")
    frac = (frac + "000000")[:6]
    d = datetime.datetime.fromtimestamp(int(sec), datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + frac + "Z"


def norm_name(n):
    if n in ("<Root>", ""):
        return "."
    n = n.lower()
    return n if n.endswith(".") else n + "."


def flag(v):
    return v in ("1", "True", "true")


def dns_messages(pcap, extra_filter):
    """One dict per DNS message (a TCP frame may hold several)."""
    fields = ["frame.number", "frame.time_epoch", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
              "udp.srcport", "udp.dstport", "tcp.srcport", "tcp.dstport", "dns.id",
              "dns.flags.response", "dns.qry.name", "dns.qry.type", "dns.flags.rcode",
              "dns.flags.truncated"]
    msgs = []
    for row in tshark(pcap, "dns && !icmp && !icmpv6" + extra_filter, fields):
        row += [""] * (len(fields) - len(row))
        (num, t, s4, d4, s6, d6, us, ud, ts_, td, ids, resp, names, types, rcodes, tcs) = row
        src, dst = (s4 or s6), (d4 or d6)
        if us:
            proto, sport, dport = "udp", int(us), int(ud)
        else:
            proto, sport, dport = "tcp", int(ts_.split(",")[0]), int(td.split(",")[0])
        ids, resps, names = ids.split(","), resp.split(","), names.split(",")
        types, rcodes, tcs = types.split(","), rcodes.split(","), tcs.split(",")
        for i, mid in enumerate(ids):
            if not mid:
                continue
            msgs.append({
                "frame": int(num), "t": float(t), "ts": t, "src": src, "dst": dst, "proto": proto,
                "sport": sport, "dport": dport, "id": int(mid, 0),
                "resp": flag(resps[i] if i < len(resps) else ""),
                "qname": norm_name(names[i]) if i < len(names) else "?",
                "qtype": QTYPES.get(int(types[i]), types[i]) if i < len(types) and types[i] else "?",
                "rcode": RCODES.get(int(rcodes[i]), rcodes[i]) if i < len(rcodes) and rcodes[i] else "",
                "tc": flag(tcs[i]) if i < len(tcs) else False,
            })
    return msgs


def count(pcap, dfilter):
    return len(tshark(pcap, dfilter, ["frame.number"]))


def count_msgs(pcap, dfilter):
    """DNS messages (not frames) matching the filter."""
    return sum(len([x for x in r[0].split(",") if x]) for r in tshark(pcap, dfilter, ["dns.id"]) if r)


def under(name, zone):
    return name == zone or name.endswith("." + zone)


def main():
    ap = argparse.ArgumentParser()
    for a in ("resolver", "pcap", "invocations", "events", "truth", "summary", "events_out", "ede_out"):
        ap.add_argument("--" + a.replace("_", "-"), dest=a, required=True)
    args = ap.parse_args()
    errors = []

    invs = []
    for line in open(args.invocations):
        if line.startswith("#"):
            continue
        f = line.rstrip("\n").split("\t")
        invs.append({"n": int(f[0]), "scn": f[1], "exp": f[2], "cause": f[3], "detail": f[4],
                     "proto": f[5], "src": f[6], "qname": norm_name(f[7]), "qtype": f[8],
                     "id": None if f[9] == "-" else int(f[9]), "t0": float(f[10]),
                     "t1": float(f[11]), "dig": f[12], "opts": f[13], "queries": []})
    events = [l.rstrip("\n").split("\t") for l in open(args.events) if not l.startswith("#")]
    for e in events:  # epoch (from make.sh) or ISO (a committed .events.tsv)
        if e[0].endswith("Z"):
            d = datetime.datetime.strptime(e[0], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
            e[0] = "%d.%06d" % (int(d.timestamp()), d.microsecond)
    restarts = sorted(float(e[0]) for e in events if e[1] == "restart")

    msgs = dns_messages(args.pcap, "")
    cq = {}   # client queries by key
    cresp = collections.defaultdict(list)
    upstream = []
    for m in msgs:
        if not m["resp"] and m["src"] in CLIENTS and m["dst"] in RES_CLIENT_SIDE and m["dport"] == 53:
            k = (m["src"], m["sport"], m["proto"], m["id"], m["qname"], m["qtype"])
            if k not in cq:
                cq[k] = m
        elif m["resp"] and m["src"] in RES_CLIENT_SIDE and m["sport"] == 53 and m["dst"] in CLIENTS:
            cresp[(m["dst"], m["dport"], m["proto"], m["id"])].append(m)
        elif not m["resp"] and m["src"] in RES_UPSTREAM and m["dport"] == 53:
            upstream.append((m["t"], m["qname"], m["dst"]))
    # TCP connection attempts upstream (a SYN carries no DNS message)
    for r in tshark(args.pcap, "tcp.flags.syn==1 && tcp.flags.ack==0 && tcp.dstport==53 && !icmp && !icmpv6",
                    ["frame.time_epoch", "ip.src", "ipv6.src", "ip.dst", "ipv6.dst"]):
        r += [""] * (5 - len(r))
        if (r[1] or r[2]) in RES_UPSTREAM:
            upstream.append((float(r[0]), "", r[3] or r[4]))
    upstream.sort()

    def related_upstream(scn, t_a, t_b):
        zone = scn + ".lab."
        sufs = [zone] + SCN_SUFFIXES.get(scn, [])
        servers = SCN_SERVERS.get(scn, set())
        for (t, qn, dst) in upstream:
            if t_a < t < t_b and (dst in servers or any(under(qn, s) for s in sufs if qn)):
                return True
        return False

    # attach each client query to its scripted invocation
    lines = []
    for k, m in sorted(cq.items(), key=lambda kv: kv[1]["t"]):
        src, sport, proto, mid, qname, qtype = k
        cands = [i for i in invs if i["src"] == src and i["qname"] == qname and i["qtype"] == qtype
                 and (i["proto"] == proto or (i["proto"], proto) == ("udp", "tcp"))  # dig: TC=1 -> TCP
                 # dig keeps the id over UDP retries; over TCP each try has a new id
                 and (i["id"] is None or i["id"] == mid or proto == "tcp")
                 and i["t0"] - 1 <= m["t"] <= i["t1"] + 1]
        if not cands:
            errors.append("client query not from a scripted client: %s" % (k,))
            continue
        inv = min(cands, key=lambda i: abs(m["t"] - i["t0"]))
        rs = [r for r in cresp.get((src, sport, proto, mid), []) if r["t"] >= m["t"] and r["qname"] == qname]
        resp = rs[0] if rs else None
        line = {"m": m, "inv": inv, "resp": resp, "received": resp["rcode"] if resp else "no-answer",
                "latency": (resp["t"] - m["t"]) if resp else None, "note": []}
        inv["queries"].append(line)
        lines.append(line)
    for inv in invs:
        if not inv["queries"]:
            errors.append("scripted query %d (%s %s %s, dig: %s) not in the capture" %
                          (inv["n"], inv["qname"], inv["qtype"], inv["proto"], inv["dig"]))

    # causes (a scenario's cause, from its F queries)
    scn_cause = {}
    for inv in invs:
        if inv["exp"] == "F":
            scn_cause[inv["scn"]] = (inv["cause"], inv["detail"])
    for ln in lines:
        inv, m, rec = ln["inv"], ln["m"], ln["received"]
        tries = sorted(inv["queries"], key=lambda x: x["m"]["t"])
        if len(tries) > 1:
            ln["note"].append("dig try %d/%d" % (tries.index(ln) + 1, len(tries)))
        if inv["proto"] != m["proto"]:
            ln["note"].append("dig's retry over TCP after TC=1")
        if ln["resp"] is not None and rec not in ("NOERROR", "NXDOMAIN"):
            ln["note"].append("answered after %.3f s" % ln["latency"])
        if ln["resp"] is not None:
            later = [t["m"]["t"] for t in tries if t["m"]["t"] > m["t"]]
            if (later and ln["resp"]["t"] > min(later)) or ln["resp"]["t"] > inv["t1"]:
                ln["note"].append("the answer came after dig had given up on this try (port closed)")
        ln["via"] = "-"
        if rec in ("NOERROR", "NXDOMAIN"):
            ln["cause"], ln["detail"] = "-", "-"
            if inv["exp"] == "F":
                ln["note"].append("answered despite the fault (%s)" % inv["detail"])
            continue
        in_zone = under(m["qname"], inv["scn"] + ".lab.")
        if inv["exp"] == "H" and (not in_zone or inv["scn"] in ("baseline", "v6only")):
            ln["cause"], ln["detail"] = "unknown", "-"
            ln["note"].append("healthy control failed")
            continue
        ln["cause"], ln["detail"] = scn_cause.get(inv["scn"], (inv["cause"], inv["detail"]))
        if inv["exp"] == "H":
            ln["note"].append("control name inside the faulty zone, not hit by the fault itself, failed")
        if rec == "no-answer":
            ln["note"].append("the resolver sent nothing to this client port")
            continue
        if rec == "SERVFAIL" and not related_upstream(inv["scn"], m["t"], ln["resp"]["t"]):
            # a repeat: the root cause stays, via says how it came about
            rs = max([t for t in restarts if t <= m["t"]] or [0])
            earlier = [o for o in lines if o["inv"]["scn"] == inv["scn"] and rs <= o["m"]["t"] < m["t"]
                       and o["m"]["qname"] == m["qname"] and o["m"]["qtype"] == m["qtype"]
                       and o["received"] not in ("NOERROR", "NXDOMAIN")]
            root = "%s/%s" % scn_cause.get(inv["scn"], (inv["cause"], inv["detail"]))
            if earlier:
                ln["via"] = "failure_cache"
                e = earlier[0]
                ln["note"].append("no upstream traffic; repeats the failure of %s (port %d, %s)" %
                                  (iso(e["m"]["ts"]), e["m"]["sport"], e["received"]))
            elif inv["scn"] in SCN_SERVERS:
                # e.g. Knot Resolver after TCP resets: the server is held down,
                # a small answer that needs no TCP is not even tried
                ln["via"] = "held_down"
                ln["note"].append("no upstream traffic: the resolver held the zone's server down after "
                                  "the earlier failures (root: %s)" % root)
            else:
                # e.g. nsnx: the NS names' NXDOMAIN is cached, a new name of
                # the zone fails at once
                ln["via"] = "failure_cache"
                ln["note"].append("no upstream traffic for this query: the resolver answered from the failure "
                                  "state that earlier queries of the zone left (root: %s)" % root)
        elif rec == "SERVFAIL":
            ln["via"] = "upstream"
            # coalesced: an identical question (another client port) was
            # still waiting when this one came, and both got their SERVFAIL
            # within 20 ms of each other
            for o in lines:
                if o is ln or o["m"]["t"] >= m["t"] or o["resp"] is None or o["received"] != "SERVFAIL":
                    continue
                if (o["m"]["qname"], o["m"]["qtype"]) == (m["qname"], m["qtype"]) and \
                        o["resp"]["t"] >= m["t"] and abs(o["resp"]["t"] - ln["resp"]["t"]) < 0.02:
                    ln["via"] = "coalesced"
                    ln["note"].append("coalesced with the query of %s (port %d)" % (iso(o["m"]["ts"]), o["m"]["sport"]))
                    break
        if rec not in ("SERVFAIL", "no-answer"):
            ln["note"].append("unexpected rcode")
        # dig's own verdict for the last try
    for inv in invs:
        if inv["queries"]:
            last = max(inv["queries"], key=lambda x: x["m"]["t"])
            if last["received"] != inv["dig"] and not (inv["dig"] in ("?",) and last["received"] == "no-answer"):
                last["note"].append("dig reported %s" % inv["dig"])

    with open(args.truth, "w") as f:
        f.write("# time\tclient\tclient_port\ttransport\tid\tqname\tqtype\treceived\tscenario\tcause\tdetail\tvia\tnote\n")
        for ln in lines:
            m = ln["m"]
            f.write("\t".join([iso(m["ts"]), m["src"], str(m["sport"]), m["proto"], str(m["id"]), m["qname"],
                               m["qtype"], ln["received"], ln["inv"]["scn"], ln["cause"], ln["detail"], ln["via"],
                               "; ".join(ln["note"]) or "-"]) + "\n")

    # events (resolver starts) with ISO times; EDE sent to clients
    with open(args.events_out, "w") as f:
        f.write("# time\tevent\tscenario (restart: a new resolver process, empty caches, before the scenario's first query)\n")
        for e in events:
            sec, _, frac = e[0].partition(".")
            f.write("%s\t%s\t%s\n" % (iso(sec + "." + frac[:6]), e[1], e[2]))
    with open(args.ede_out, "w") as f:
        rows = tshark(args.pcap, "dns.flags.response==1 && dns.opt.code==15 && !icmp && !icmpv6",
                      ["frame.time_epoch", "ip.dst", "ipv6.dst", "udp.dstport", "tcp.dstport", "dns.id", "dns.qry.name",
                       "dns.qry.type", "dns.flags.rcode", "dns.opt.ext_error.info_code", "dns.opt.ext_error.extra_text"])
        f.write("# Extended DNS Errors (RFC 8914) in the resolver's responses to clients\n")
        f.write("# time\tclient\tclient_port\tid\tqname\tqtype\trcode\tede_codes\tede_texts\n")
        for r in rows:
            r += [""] * (11 - len(r))
            if (r[1] or r[2]) not in CLIENTS:
                continue
            f.write("\t".join([iso(r[0]), r[1] or r[2], r[3] or r[4], str(int(r[5].split(",")[0], 0)), norm_name(r[6]),
                               QTYPES.get(int(r[7] or 0), r[7]), RCODES.get(int(r[8] or 0), r[8]), r[9], r[10]]) + "\n")

    # ---- independent tshark counts and the checks against the truth
    P = args.pcap
    cl = "(ip.dst==10.53.1.0/24 || ipv6.dst==fd53:1::/64)"
    cs = "(ip.src==10.53.1.0/24 || ipv6.src==fd53:1::/64)"
    noicmp = " && !icmp && !icmpv6"
    c = collections.OrderedDict()
    c["client queries (messages)"] = count_msgs(P, "dns.flags.response==0 && %s && !(ip.src==10.53.1.1 || ipv6.src==fd53:1::1)%s" % (cs, noicmp))
    c["client responses"] = count_msgs(P, "dns.flags.response==1 && %s && !(ip.dst==10.53.1.1 || ipv6.dst==fd53:1::1)%s" % (cl, noicmp))
    for rc, n in (("NOERROR", 0), ("NXDOMAIN", 3), ("SERVFAIL", 2), ("REFUSED", 5)):
        c["client responses %s" % rc] = count_msgs(P, "dns.flags.response==1 && dns.flags.rcode==%d && %s%s" % (n, cl, noicmp))
    c["client responses TC=1"] = count_msgs(P, "dns.flags.response==1 && dns.flags.truncated==1 && %s%s" % (cl, noicmp))
    up = "(ip.src==10.53.0.1 || ip.src==10.53.2.1 || ipv6.src==fd53::1)"
    upd = "(ip.dst==10.53.0.1 || ip.dst==10.53.2.1 || ipv6.dst==fd53::1)"
    c["upstream queries"] = count_msgs(P, "dns.flags.response==0 && %s%s" % (up, noicmp))
    c["upstream responses"] = count_msgs(P, "dns.flags.response==1 && %s%s" % (upd, noicmp))
    for rc, n in (("SERVFAIL", 2), ("REFUSED", 5), ("NXDOMAIN", 3)):
        c["upstream responses %s" % rc] = count_msgs(P, "dns.flags.response==1 && dns.flags.rcode==%d && %s%s" % (n, upd, noicmp))
    c["upstream responses TC=1"] = count_msgs(P, "dns.flags.response==1 && dns.flags.truncated==1 && %s%s" % (upd, noicmp))
    c["upstream TCP SYN"] = count(P, "tcp.flags.syn==1 && tcp.flags.ack==0 && tcp.dstport==53 && %s" % up)
    c["upstream TCP RST received"] = count(P, "tcp.flags.reset==1 && tcp.srcport==53 && %s" % upd)
    c["ICMP port unreachable"] = count(P, "icmp.type==3 && icmp.code==3")
    c["ICMP admin prohibited"] = count(P, "icmp.type==3 && icmp.code==13")
    c["ICMPv6 port unreachable"] = count(P, "icmpv6.type==1 && icmpv6.code==4")
    c["ICMPv6 admin prohibited"] = count(P, "icmpv6.type==1 && icmpv6.code==1")
    c["ICMP reassembly time exceeded"] = count(P, "icmp.type==11 && icmp.code==1")
    c["IPv4 first fragments (MF=1, offset 0)"] = count(P, "ip.flags.mf==1 && ip.frag_offset==0")
    c["IPv4 non-first fragments"] = count(P, "ip.frag_offset>0")
    c["client responses with EDE"] = count_msgs(P, "dns.flags.response==1 && dns.opt.code==15 && %s%s" % (cl, noicmp))
    c["frames"] = count(P, "frame")

    t_sf = sum(1 for l in lines if l["received"] == "SERVFAIL")
    t_na = sum(1 for l in lines if l["received"] == "no-answer")
    answered = sum(1 for l in lines if l["received"] != "no-answer")
    if c["client responses SERVFAIL"] != t_sf:
        errors.append("tshark counts %d SERVFAIL to clients, truth %d" % (c["client responses SERVFAIL"], t_sf))
    if c["client queries (messages)"] != len(lines):
        errors.append("tshark counts %d client queries, truth %d" % (c["client queries (messages)"], len(lines)))
    if c["client responses"] < answered:
        errors.append("tshark counts %d client responses, truth %d answered" % (c["client responses"], answered))

    with open(args.summary, "w") as f:
        bycause = collections.Counter((l["cause"], l["detail"]) for l in lines)
        byrec = collections.Counter(l["received"] for l in lines)
        f.write("%s: %d client queries (%d scripted), received: %s\n" % (
            args.resolver, len(lines), len(invs), ", ".join("%s %d" % kv for kv in sorted(byrec.items()))))
        f.write("truth causes: %s\n" % ", ".join("%s/%s %d" % (k[0], k[1], v) for k, v in sorted(bycause.items())))
        f.write("truth via (SERVFAILs): %s\n" % ", ".join("%s %d" % kv for kv in sorted(
            collections.Counter(l["via"] for l in lines if l["received"] == "SERVFAIL").items())))
        unexpected = [l for l in lines if l["cause"] == "unknown"]
        f.write("healthy controls that failed: %d\n" % len(unexpected))
        f.write("\ntshark counts (DNS messages, not frames; ICMP-quoted DNS excluded):\n")
        for k, v in c.items():
            f.write("  %-40s %d\n" % (k, v))
        f.write("\nper scenario (F = names hit by the fault, H = healthy controls; outcome per client query):\n")
        scns = []
        for l in lines:
            if l["inv"]["scn"] not in scns:
                scns.append(l["inv"]["scn"])
        for s in scns:
            ls = [l for l in lines if l["inv"]["scn"] == s]
            out = []
            for exp in ("F", "H"):
                cnt = collections.Counter(l["received"] for l in ls if l["inv"]["exp"] == exp)
                if cnt:
                    out.append("%s: %s" % (exp, ", ".join("%s %d" % kv for kv in sorted(cnt.items()))))
            cc = collections.Counter("%s/%s" % (l["cause"], l["detail"]) for l in ls if l["cause"] != "-")
            lat = [l["latency"] for l in ls if l["inv"]["exp"] == "F" and l["received"] == "SERVFAIL"]
            f.write("  %-11s %-45s %s%s\n" % (s, "; ".join(out), ", ".join("%s %d" % kv for kv in sorted(cc.items())),
                                              ("  (SERVFAIL after %.2f-%.2f s)" % (min(lat), max(lat))) if lat else ""))
        f.write("\nper scripted query (dig's final status):\n")
        for inv in invs:
            f.write("  %3d %-10s %s %-3s %-11s %-24s %-6s -> %-9s tries: %s\n" % (
                inv["n"], inv["scn"], inv["exp"], inv["proto"], inv["src"], inv["qname"], inv["qtype"], inv["dig"],
                " ".join(q["received"] for q in sorted(inv["queries"], key=lambda x: x["m"]["t"])) or "-"))
        if errors:
            f.write("\nERRORS:\n" + "".join("  %s\n" % e for e in errors))
    for e in errors:
        print("truth.py: %s: %s" % (args.resolver, e), file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
