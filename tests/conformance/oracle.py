"""tshark oracle for dnsblame's capture counts.

Counts DNS messages (not frames) on UDP or TCP port 53 the way tshark 4.0 dissects them:

* display filter ``udp.port==53 || tcp.port==53``, matched on the frame that carries the
  dissected DNS PDU (for TCP that is the frame completing the reassembled PDU; for IP
  fragments the frame completing the datagram).
* one message per "dns" protocol item in the frame (``-e dns`` with ``-E occurrence=a``
  prints one entry per DNS PDU: several per TCP segment are all counted).  ``frame.protocols``
  is NOT usable for this: it collapses repeated adjacent layers ("tcp:dns" for 20 PDUs).
* queries / responses: occurrences of ``dns.flags.response`` equal to 0 / 1.  tshark reads the
  header field by field: 4 bytes (ID + flags) are enough for QR and RCODE, and the message
  counts (malformed).  With 1-3 bytes the dns layer exists but its ``-e dns`` entry is empty
  and it has no flags: not counted, so dns_messages == dns_queries + dns_responses.
* SERVFAIL: occurrences of ``dns.flags.rcode`` equal to 2 (tshark adds the rcode field to
  responses only; it is the 4-bit header RCODE, not the EDNS extended one).
* DNS quoted inside ICMP/ICMPv6 error messages is excluded: tshark dissects it (and the filter
  matches the quoted UDP header), but it is a copy of an earlier datagram, not a message on the
  wire; dnsblame reports those as ICMP error events (docs: design "icmp error" event).
* DNS inside tunnels that tshark decodes (GRE, VXLAN, VXLAN-GPE, Geneve, IP-in-IP, 6in4,
  Teredo on 3544, PPPoE, VLAN...) is counted: the filter matches the inner UDP/TCP port 53.

Preferences are pinned explicitly (TSHARK_PREFS) and tshark runs with an empty private
configuration directory so that a user's profile cannot change the counts.  README.md beside
this file gives the edge cases and the reasons for each choice.
"""

import atexit
import json
import os
import shutil
import re
import subprocess
import sys
import tempfile

DISPLAY_FILTER = "udp.port==53 || tcp.port==53"

# Every preference that changes what is counted, set to the value we rely on: tshark 4.0's
# defaults, pinned so that a profile or a future default cannot move them, except
# tcp.reassemble_out_of_order (see there).
TSHARK_PREFS = [
    # DNS over TCP: reassemble PDUs split over segments; the fields appear on the last frame.
    "tcp.desegment_tcp_streams:TRUE",
    "dns.desegment_dns_messages:TRUE",
    # Model a real TCP receiver (libnids; our IPv6 TCP): out-of-order data waits until the hole
    # is filled, and data after a hole never filled is not parsed.  tshark's default (FALSE)
    # restarts parsing at the first segment after a hole, reading its first two bytes as a
    # length prefix: right only by luck (it is on the three gap captures of the corpus, where
    # it finds 36 more messages), garbage or a swallowed stream otherwise.
    "tcp.reassemble_out_of_order:TRUE",
    # Retransmitted / error segments are not handed to DNS again: no double counting.
    "tcp.analyze_sequence_numbers:TRUE",
    "tcp.no_subdissector_on_error:TRUE",
    # IP fragments: one message on the frame that completes the datagram.
    "ip.defragment:TRUE",
    "ipv6.defragment:TRUE",
    # Captures on the resolver host carry offloaded (bad) checksums: never drop for them.
    "ip.check_checksum:FALSE",
    "tcp.check_checksum:FALSE",
    "udp.check_checksum:FALSE",
    # Port 53 always goes to DNS first, never to a heuristic dissector.
    "tcp.try_heuristic_first:FALSE",
    "udp.try_heuristic_first:FALSE",
]

# Heuristic dissectors that could decode DNS where there is no port 53 on the wire.  Teredo
# (IPv6 in UDP found by heuristics) is off by default; keep it off explicitly.
TSHARK_DISABLED_HEURISTICS = ["teredo_udp"]

FIELDS = [
    "frame.number",
    "frame.protocols",
    "dns",                 # one entry per DNS PDU in the frame
    "dns.flags.response",  # 0 query, 1 response (absent if the PDU is shorter than 3 bytes)
    "dns.flags.rcode",     # responses only
    "_ws.malformed",
    "frame.cap_len",
    "frame.len",
]


def tshark_command(path):
    cmd = ["tshark", "-n", "-r", path, "-Y", DISPLAY_FILTER]
    for p in TSHARK_PREFS:
        cmd += ["-o", p]
    for h in TSHARK_DISABLED_HEURISTICS:
        cmd += ["--disable-heuristic", h]
    cmd += ["-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,",
            "-E", "separator=/t", "-E", "header=n"]
    for f in FIELDS:
        cmd += ["-e", f]
    return cmd


def _split(v):
    return [x for x in v.split(",") if x != ""] if v else []


def parse_fields(text):
    """Turn tshark's field lines into the counts dnsblame must reproduce."""
    c = {
        "dns_messages": 0, "dns_queries": 0, "dns_responses": 0,
        "tcp_dns_messages": 0, "malformed_frames": 0,
        "rcodes": {}, "icmp_quoted_excluded": 0, "truncated_frames": 0,
        "no_qr_messages": 0,
    }
    for line in text.splitlines():
        f = line.split("\t")
        f += [""] * (len(FIELDS) - len(f))
        _num, protos, dns, resp, rcode, malformed, cap_len, frame_len = f[:8]
        layers = protos.split(":")
        n = len(_split(dns))
        if n == 0:
            continue  # port-53 frame with no DNS PDU (TCP handshake, partial segment...)
        first_dns = layers.index("dns") if "dns" in layers else len(layers)
        below = layers[:first_dns]
        if "icmp" in below or "icmpv6" in below:
            c["icmp_quoted_excluded"] += n
            continue
        c["dns_messages"] += n
        rs = _split(resp)
        c["dns_queries"] += rs.count("0")
        c["dns_responses"] += rs.count("1")
        c["no_qr_messages"] += n - len(rs)
        for r in _split(rcode):
            name = RCODE_NAMES.get(int(r), str(r)) if r.isdigit() else r
            c["rcodes"][name] = c["rcodes"].get(name, 0) + 1
        transport = [x for x in below if x in ("tcp", "udp")]
        if transport and transport[-1] == "tcp":
            c["tcp_dns_messages"] += n
        if "Malformed Packet: DNS" in malformed:
            c["malformed_frames"] += 1
        if cap_len and frame_len and cap_len != frame_len:
            c["truncated_frames"] += 1
    return c


RCODE_NAMES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP",
               5: "REFUSED", 6: "YXDOMAIN", 7: "YXRRSET", 8: "NXRRSET", 9: "NOTAUTH",
               10: "NOTZONE", 11: "DSOTYPENI"}

_CONFIG_DIR = None


def _env():
    global _CONFIG_DIR
    if _CONFIG_DIR is None:
        _CONFIG_DIR = tempfile.mkdtemp(prefix="dnsblame-tshark-")
        atexit.register(shutil.rmtree, _CONFIG_DIR, True)
    env = dict(os.environ)
    env["WIRESHARK_CONFIG_DIR"] = _CONFIG_DIR  # empty: no user profile, no disabled protocols
    env["LC_ALL"] = "C"
    return env


def tshark_version():
    p = subprocess.run(["tshark", "--version"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                       universal_newlines=True, env=_env())
    m = re.search(r"\d+\.\d+\.\d+", p.stdout)
    return "tshark " + (m.group(0) if m else "(unknown version)")


def count(path):
    """Run tshark once on one capture; return the counts dict (or {"error": ...})."""
    p = subprocess.run(tshark_command(path), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=_env(), universal_newlines=True, errors="replace")
    err = [l for l in p.stderr.splitlines() if l and "could be dangerous" not in l]
    c = parse_fields(p.stdout)
    if p.returncode != 0:
        c["error"] = "tshark exit %d: %s" % (p.returncode, " / ".join(err)[:300])
    elif err:
        c["tshark_warnings"] = " / ".join(err)[:300]
    return c


if __name__ == "__main__":
    for a in sys.argv[1:]:
        print(json.dumps({"file": os.path.basename(a), **count(a)}, sort_keys=True))
