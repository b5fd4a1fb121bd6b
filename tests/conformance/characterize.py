"""Characterise the public corpus for dnsblame: writes CORPUS.md (not run by the test).

Usage: python3 tests/conformance/characterize.py [CORPUS_DIR] > tests/conformance/CORPUS.md

Per file: link type(s), packets, whether libpcap reads it, tshark's DNS counts (the oracle of
oracle.py) and the features that the counted DNS messages depend on, so the lead can see which
decoders dnsblame needs to reach 95% of the files.
"""

import os
import subprocess
import sys
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
import run  # noqa: E402

LINK = {  # first layer of frame.protocols -> link type name
    "eth": "Ethernet", "sll": "Linux SLL", "raw": "raw IP", "null": "BSD NULL",
    "fddi": "FDDI", "wlan": "802.11", "radiotap": "802.11 radiotap", "nflog": "NFLOG",
    "pktap": "PKTAP", "ip": "raw IPv4", "ipv6": "raw IPv6", "loop": "OpenBSD loop",
}

ALL_FIELDS = ["frame.protocols", "frame.cap_len", "frame.len", "ip.flags.mf", "ip.frag_offset",
              "ipv6.fraghdr.offset", "tcp.stream", "tcp.flags.syn", "tcp.flags.ack",
              "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport",
              "tcp.analysis.lost_segment"]

DNS_FIELDS = ["frame.number", "frame.protocols", "dns", "dns.flags.response",
              "dns.flags.rcode", "ip.fragment.count", "ipv6.fragment.count",
              "tcp.segment.count", "tcp.stream", "_ws.malformed", "frame.cap_len",
              "frame.len", "dns.flags.truncated", "dns.flags.opcode", "ip.flags.mf",
              "tcp.flags.syn"]


def tshark(path, fields, dfilter=None):
    cmd = ["tshark", "-n", "-r", path]
    if dfilter:
        cmd += ["-Y", dfilter]
    for p in oracle.TSHARK_PREFS:
        cmd += ["-o", p]
    for h in oracle.TSHARK_DISABLED_HEURISTICS:
        cmd += ["--disable-heuristic", h]
    cmd += ["-T", "fields", "-E", "occurrence=a", "-E", "separator=/t"]
    for f in fields:
        cmd += ["-e", f]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                       universal_newlines=True, errors="replace", env=oracle._env())
    rows = []
    for line in p.stdout.splitlines():
        v = line.split("\t")
        v += [""] * (len(fields) - len(v))
        rows.append(dict(zip(fields, v)))
    return rows


def vals(s):
    return [x for x in s.split(",") if x != ""]


def chain_of(protos):
    """Encapsulation chain down to (not including) the first dns layer, noise removed."""
    layers = [x for x in protos.split(":") if x not in ("ethertype", "data")]
    if "dns" in layers:
        layers = layers[:layers.index("dns")]
    return ":".join(layers)


def features_of(chain):
    """Decoders a DNS message on this chain needs, beyond plain link:IPv4:UDP/TCP."""
    ls = chain.split(":")
    for t in ("icmp", "icmpv6"):  # a quoted datagram is not a message on the wire
        if t in ls:
            ls = ls[:ls.index(t)]
    f = set()
    if any(x.startswith("ipv6.") and x != "ipv6.fraghdr" for x in ls):
        f.add("IPv6 ext headers")
    ls = [x for x in ls if not x.startswith("ipv6.")]
    if "ipv6" in ls:
        f.add("IPv6")
    tags = ls.count("vlan") + ls.count("ieee8021ad")
    if tags == 1:
        f.add("VLAN")
    elif tags > 1:
        f.add("QinQ")
    for t, name in (("gre", "GRE"), ("vxlan", "VXLAN"), ("geneve", "Geneve"),
                    ("teredo", "Teredo"), ("ppp", "PPP"), ("pppoes", "PPPoE"),
                    ("mpls", "MPLS"), ("gtp", "GTP"), ("erspan", "ERSPAN")):
        if t in ls:
            f.add(name)
    for a, b in zip(ls, ls[1:]):
        if a in ("ip", "ipv6") and b in ("ip", "ipv6"):
            f.add({("ip", "ip"): "IP-in-IP", ("ip", "ipv6"): "6in4",
                   ("ipv6", "ip"): "4in6", ("ipv6", "ipv6"): "IPv6-in-IPv6"}[(a, b)])
        if a in ("udp", "tcp") and b in ("ip", "ipv6"):
            f.add("IP-in-UDP (VXLAN-GPE 4790)")
    return f


def characterise(corpus, name):
    path = os.path.join(corpus, name)
    r = {"file": name}
    r["oracle"] = oracle.count(path)
    r["readable"] = run.libpcap_reads(path)
    p = subprocess.run(["tcpdump", "-n", "-r", path, "-w", "/dev/null"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True, errors="replace")
    r["pcap_error"] = "" if p.returncode == 0 else p.stderr.strip().splitlines()[-1]
    with open(path, "rb") as f:
        magic = f.read(4)
    r["format"] = "pcapng" if magic == b"\x0a\x0d\x0d\x0a" else (
        "pcap-BE" if magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d") else "pcap")
    allrows = tshark(path, ALL_FIELDS)
    r["packets"] = len(allrows)
    links = Counter()
    feats = set()          # features present anywhere in the file
    dns_feats = set()      # features the counted DNS messages depend on
    trunc_any = 0
    frag_any = 0
    syn_streams = set()
    tcp53_streams = set()
    lost53 = 0
    for a in allrows:
        ls = a["frame.protocols"].split(":")
        links[LINK.get(ls[0], ls[0])] += 1
        feats |= features_of(chain_of(a["frame.protocols"]))
        if a["frame.cap_len"] and a["frame.len"] and int(a["frame.cap_len"]) < int(a["frame.len"]):
            trunc_any += 1
        if "1" in vals(a["ip.flags.mf"]) or any(v != "0" for v in vals(a["ip.frag_offset"])) \
                or vals(a["ipv6.fraghdr.offset"]):
            frag_any += 1
        ports = set(vals(a["tcp.srcport"]) + vals(a["tcp.dstport"]))
        if "53" in ports and a["tcp.stream"]:
            st = a["tcp.stream"].split(",")[-1]
            tcp53_streams.add(st)
            if "1" in vals(a["tcp.flags.syn"]):
                syn_streams.add(st)
            if a["tcp.analysis.lost_segment"]:
                lost53 += 1
        for t in ("icmp", "icmpv6", "mdns", "llmnr"):
            if t in ls:
                feats.add(t.upper().replace("V6", "v6"))
    # tshark names SLL and SLL2 both "sll": the link label comes from capinfos' encapsulation.
    enc = subprocess.run(["capinfos", "-T", "-E", "-r", path], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, universal_newlines=True).stdout.strip()
    r["encap"] = enc.split("\t")[-1] if enc else "?"
    r["links"] = links
    dnsrows = tshark(path, DNS_FIELDS, oracle.DISPLAY_FILTER)
    chains = Counter()
    ipfrag = tcpmulti = multi_pdu = inplace = tfo = 0
    trunc_dns = malformed = tc = 0
    tcp_dns_streams = set()
    for d in dnsrows:
        n = len(vals(d["dns"]))
        if not n:
            continue
        layers = d["frame.protocols"].split(":")
        below = layers[:layers.index("dns")] if "dns" in layers else layers
        if "icmp" in below or "icmpv6" in below:
            continue
        c = chain_of(d["frame.protocols"])
        chains[c] += n
        dns_feats |= features_of(c)
        if vals(d["ip.fragment.count"]) or vals(d["ipv6.fragment.count"]):
            ipfrag += n
        elif "1" in vals(d["ip.flags.mf"]):
            inplace += n  # a first fragment tshark could not reassemble, dissected as it is
        if vals(d["tcp.segment.count"]):
            tcpmulti += 1
        if n > 1:
            multi_pdu += 1
        if "tcp" in below and "1" in vals(d["tcp.flags.syn"]):
            tfo += n  # data in a SYN: TCP Fast Open
        if "tcp" in below and d["tcp.stream"]:
            tcp_dns_streams.add(d["tcp.stream"].split(",")[-1])
        if d["frame.cap_len"] != d["frame.len"]:
            trunc_dns += n
        if "Malformed Packet: DNS" in d["_ws.malformed"]:
            malformed += 1
        tc += vals(d["dns.flags.truncated"]).count("1")
    r["chains"] = chains
    nosyn = len(tcp_dns_streams - syn_streams)
    r.update(feats=feats, dns_feats=dns_feats, trunc_any=trunc_any, frag_any=frag_any,
             ipfrag=ipfrag, inplace=inplace, tfo=tfo, tcpmulti=tcpmulti, multi_pdu=multi_pdu, trunc_dns=trunc_dns,
             malformed=malformed, nosyn=nosyn, lost53=lost53, tc=tc,
             tcp53=len(tcp53_streams))
    return r


def link_label(r):
    e = r["encap"]
    names = {"ether": "Ethernet", "linux-sll": "SLL", "linux-sll2": "SLL2", "rawip": "raw IP (101)",
             "rawip4": "IPv4 (228)", "rawip6": "IPv6 (229)", "null": "NULL", "nflog": "NFLOG",
             "pktap": "PKTAP", "fddi-swapped": "FDDI", "ieee-802-11": "802.11",
             "ieee-802-11-radiotap": "802.11 radiotap"}
    if e == "per-packet" or "," in e:
        return "mixed: " + ", ".join(sorted(r["links"]))
    return names.get(e, e)


def file_features(r):
    o = r["oracle"]
    f = sorted(r["dns_feats"])
    if r["ipfrag"]:
        f.append("IP frags (%d msgs)" % r["ipfrag"])
    if r["inplace"]:
        f.append("DNS read from unreassembled first fragments (%d msgs)" % r["inplace"])
    if o["tcp_dns_messages"]:
        f.append("TCP (%d msgs)" % o["tcp_dns_messages"])
    if r["tcpmulti"]:
        f.append("TCP reassembly")
    if r["multi_pdu"]:
        f.append("several msgs/segment")
    if r["nosyn"]:
        f.append("TCP no SYN (%d streams)" % r["nosyn"])
    if r["tfo"]:
        f.append("TCP Fast Open (%d msgs in SYNs)" % r["tfo"])
    if r["lost53"]:
        f.append("TCP gap")
    if r["trunc_dns"]:
        f.append("snaplen-cut DNS (%d)" % r["trunc_dns"])
    elif r["trunc_any"]:
        f.append("snaplen-cut pkts (%d)" % r["trunc_any"])
    if r["malformed"]:
        f.append("malformed DNS (%d)" % r["malformed"])
    if o["icmp_quoted_excluded"]:
        f.append("ICMP-quoted DNS (%d, not counted)" % o["icmp_quoted_excluded"])
    other = sorted(x for x in r["feats"] - r["dns_feats"]
                   if x not in ("ICMP", "ICMPv6") or not o["icmp_quoted_excluded"])
    if other:
        f.append("also: " + ", ".join(other))
    if r["frag_any"] and not r["ipfrag"]:
        f.append("frags not completing DNS (%d pkts)" % r["frag_any"])
    if not r["readable"]:
        f.insert(0, "**libpcap cannot read**")
    return "; ".join(f)


def main():
    corpus = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "corpus", "public")
    names = run.corpus_files(corpus, [])
    with ThreadPoolExecutor(2) as ex:
        res = list(ex.map(lambda n: characterise(corpus, n), names))
    out = []
    w = out.append
    total = len(res)
    w("# The public corpus, as tshark sees it")
    w("")
    w("Generated by `python3 tests/conformance/characterize.py` (tshark %s, libpcap via tcpdump)."
      % subprocess.run(["tshark", "--version"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                       universal_newlines=True).stdout.split()[2])
    w("Counts are the oracle's (tests/conformance/oracle.py): DNS messages on UDP/TCP port 53,")
    w("ICMP-quoted DNS excluded. 'Needs' lists what the *counted* DNS messages travel over beyond")
    w("link:IPv4:UDP; 'also:' lists features present in the file that no counted message needs.")
    w("")
    w("## Summary: %d captures, %d DNS messages" % (total, sum(r["oracle"]["dns_messages"] for r in res)))
    w("")
    w("95%% of %d files = %d must match; at most %d may differ."
      % (total, -(-total * 95 // 100), total - (-(-total * 95 // 100))))
    w("")
    w("| what dnsblame must handle | files whose counted DNS needs it | files |")
    w("|---|---|---|")

    def row(label, pred):
        fs = [r["file"] for r in res if pred(r)]
        w("| %s | %d | %s |" % (label, len(fs), ", ".join(x.rsplit(".", 1)[0] for x in fs) if len(fs) <= 12 else "(many)"))
    row("libpcap cannot read (exit non-zero)", lambda r: not r["readable"])
    linkc = Counter(link_label(r) for r in res)
    for lk, _ in sorted(linkc.items(), key=lambda x: -x[1]):
        row("link type %s" % lk, lambda r, lk=lk: link_label(r) == lk and r["oracle"]["dns_messages"] > 0)
    row("no DNS on port 53 at all (count 0)", lambda r: r["oracle"]["dns_messages"] == 0)
    for feat in ("IPv6", "IPv6 ext headers", "VLAN", "QinQ", "PPPoE", "GRE", "PPP", "VXLAN",
                 "Geneve", "IP-in-UDP (VXLAN-GPE 4790)", "Teredo", "IP-in-IP", "6in4", "4in6",
                 "IPv6-in-IPv6", "MPLS", "GTP", "ERSPAN"):
        row(feat, lambda r, feat=feat: feat in r["dns_feats"])
    row("IPv4/IPv6 fragment reassembly", lambda r: r["ipfrag"] > 0)
    row("DNS read from a first fragment never reassembled", lambda r: r["inplace"] > 0)
    row("DNS over TCP", lambda r: r["oracle"]["tcp_dns_messages"] > 0)
    row("TCP: message spans segments", lambda r: r["tcpmulti"] > 0)
    row("TCP: several messages in one segment", lambda r: r["multi_pdu"] > 0)
    row("TCP: DNS stream without SYN", lambda r: r["nosyn"] > 0)
    row("TCP: DNS carried in a SYN (Fast Open)", lambda r: r["tfo"] > 0)
    row("TCP: lost segment / gap on port 53", lambda r: r["lost53"] > 0)
    row("snaplen-cut frame carrying counted DNS", lambda r: r["trunc_dns"] > 0)
    row("any snaplen-cut packet", lambda r: r["trunc_any"] > 0)
    row("tshark marks DNS malformed", lambda r: r["malformed"] > 0)
    row("ICMP/ICMPv6 quoting DNS (excluded)", lambda r: r["oracle"]["icmp_quoted_excluded"] > 0)
    row("mDNS / LLMNR present (excluded by port)", lambda r: r["feats"] & {"MDNS", "LLMNR"})
    row("pcapng format", lambda r: r["format"] == "pcapng")
    row("big-endian pcap", lambda r: r["format"] == "pcap-BE")
    w("")
    w("## Files at risk for the 95% budget")
    w("")
    w("Decoders named in the design (shared/design.md, capture/): Ethernet, 802.1Q/QinQ, SLL,")
    w("SLL2, raw IP (101/228/229), BSD NULL; IPv4/IPv6 fragments; TCP reassembly. Files whose")
    w("counted DNS needs more than that, or that hit a case where tshark's rule is unusual:")
    w("")
    w("| file | tshark msgs | why it may differ |")
    w("|---|---|---|")
    design_links = {"Ethernet", "SLL", "SLL2", "raw IP (101)", "IPv4 (228)", "IPv6 (229)", "NULL"}
    design_feats = {"IPv6", "IPv6 ext headers", "VLAN", "QinQ"}
    risky = 0
    for r in res:
        why = []
        if not r["readable"]:
            why.append("libpcap cannot read it (%s)" % r["pcap_error"].replace("tcpdump: ", ""))
        elif r["oracle"]["dns_messages"] and link_label(r) not in design_links:
            why.append("link type " + link_label(r))
        extra = sorted(r["dns_feats"] - design_feats)
        if extra:
            why.append("encapsulation: " + ", ".join(extra))
        if r["inplace"]:
            why.append("tshark reads DNS from %d first fragments it cannot reassemble "
                       "(IP total length > frame)" % r["inplace"])
        if r["nosyn"]:
            why.append("DNS over TCP in %d stream(s) without SYN (libnids alone drops those)"
                       % r["nosyn"])
        if r["tfo"]:
            why.append("TCP Fast Open: %d queries in SYNs (libnids ignores SYN data and the "
                       "SYN-ACK acknowledging it)" % r["tfo"])
        if r["lost53"]:
            why.append("TCP segments missing on port 53 (oracle: nothing after a hole is read)")
        if why:
            risky += 1
            w("| %s | %d | %s |" % (r["file"], r["oracle"]["dns_messages"], "; ".join(why)))
    w("")
    w("%d files listed; the budget allows %d differences." % (risky, total - (-(-total * 95 // 100))))
    w("")
    w("## Per file")
    w("")
    w("| file | fmt | link | pkts | msgs | q | r | SERVFAIL | TCP | needs / notes |")
    w("|---|---|---|---|---|---|---|---|---|---|")
    for r in res:
        o = r["oracle"]
        w("| %s | %s | %s | %d | %d | %d | %d | %d | %d | %s |" % (
            r["file"], r["format"], link_label(r), r["packets"], o["dns_messages"],
            o["dns_queries"], o["dns_responses"], o["rcodes"].get("SERVFAIL", 0),
            o["tcp_dns_messages"], file_features(r)))
    w("")
    w("## Encapsulation chains of counted DNS messages")
    w("")
    allchains = defaultdict(list)
    for r in res:
        for c, n in r["chains"].items():
            allchains[c].append((r["file"], n))
    w("| chain (link ... transport) | messages | files |")
    w("|---|---|---|")
    for c, lst in sorted(allchains.items(), key=lambda x: -len(x[1])):
        fl = ", ".join(f.rsplit(".", 1)[0] for f, _ in lst) if len(lst) <= 8 else "%d files" % len(lst)
        w("| `%s` | %d | %s |" % (c, sum(n for _, n in lst), fl))
    print("\n".join(out))


if __name__ == "__main__":
    main()
