#!/usr/bin/env python3
"""docs/JSON.md stays true: every member the JSON report and the NDJSON
records carry (top level, capture, summary, a verdict and its attempts, an
incident, an upstream server, the timeline, left_out, transactions, events,
limits, stats) is named in it.  Reads the reports of two captures (one live
-like with stats, one with every kind of verdict).

    tests/json-doc.py BINARY
"""
import json
import re
import subprocess
import sys

binary = sys.argv[1]
doc = open("docs/JSON.md").read()
named = set(re.findall(r"`([a-z_0-9]+)`", doc))


def run(*args):
    return subprocess.run([binary, *args], capture_output=True, text=True).stdout


members = set()


def collect(obj, depth, skip=()):
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in skip:
                continue
            members.add(k)
            if depth > 0:
                collect(v, depth - 1)
    elif isinstance(obj, list):
        for x in obj:
            collect(x, depth)


d = json.loads(run("-r", "pcaps/lab/load/unbound.pcap", "--format", "json"))
# rcodes and by_cause hold names, not members; timeline buckets hold kinds and causes.
for key in ("capture", "summary", "transactions", "events", "limits", "left_out"):
    collect(d[key], 0)
members.update(d.keys())
for v in d["servfails"] + d["unanswered"]:
    collect(v, 0)
    for u in v["upstream"]:
        collect(u, 0)
    if "repeats" in v:
        collect(v["repeats"], 0)
for g in d["incidents"]:
    collect(g, 0)
for s in d["upstream_servers"]:
    collect(s, 0)
collect(d["timeline"], 0)
for line in run("-r", "pcaps/sample/resolver-mixed.pcap", "--format", "ndjson", "--interval", "10").splitlines():
    rec = json.loads(line)
    collect(rec, 0)
    if rec["type"] == "stats":
        collect(rec["interval"], 0)
for line in run("-r", "pcaps/hostile/cut-last-record.pcap", "--format", "ndjson").splitlines():
    collect(json.loads(line), 0)
missing = sorted(m for m in members if m not in named)
print("json-doc: %d members in the reports, %d named in docs/JSON.md" % (len(members), len(members) - len(missing)))
if missing:
    print("FAIL not in docs/JSON.md: " + ", ".join(missing))
    sys.exit(1)
print("json-doc: ok")
