#!/usr/bin/env python3
"""score.py - dnsblame's verdicts against genload's truth.

    python3 tests/bench/score.py DNSBLAME CAPTURE TRUTH [--min PCT] [--json FILE] [--save-json FILE]

Runs `DNSBLAME -r CAPTURE --format json` (or reads --json FILE instead) and
matches each verdict of its `servfails` and `unanswered` arrays to a line of
TRUTH (genload --truth: one line per failed client query) by client address,
client port and DNS id, then qname and qtype, then the time nearest the query
(`query_time` when the verdict has it, else `time`, which may come seconds
after the query).  Prints:
  - cause agreement: % of the truth's failed client queries whose verdict has
    the truth's cause (a missing verdict counts as a disagreement), with a
    per-cause breakdown (detail agreement and the causes given instead);
  - via agreement (among matched verdicts that carry `via`);
  - SERVFAIL/no-answer agreement (a verdict in the wrong array);
  - false verdicts: verdicts matching no failed query of the truth;
  - missing verdicts: failed queries of the truth with no verdict.
Exit status 1 when cause agreement is below --min (default 97), 2 on usage or
when dnsblame fails.
"""
import argparse
import collections
import datetime
import json
import subprocess
import sys
import time


def parse_ts(s):
    """ISO 8601 UTC with microseconds -> seconds since the epoch (float)."""
    s = s.rstrip("Z")
    if "." in s:
        base, frac = s.split(".", 1)
    else:
        base, frac = s, "0"
    dt = datetime.datetime.strptime(base, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return dt.timestamp() + float("0." + frac)


def norm_name(n):
    n = (n or "").lower()
    return n if n.endswith(".") else n + "."


def load_truth(path):
    rows = []
    with open(path) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            p = line.rstrip("\n").split("\t")
            if len(p) < 11:
                continue
            rows.append({
                "time": parse_ts(p[0]), "client": p[1], "port": int(p[2]), "id": int(p[3]),
                "transport": p[4], "qname": norm_name(p[5]), "qtype": p[6].upper(),
                "received": p[7], "cause": p[8], "detail": p[9], "via": p[10],
            })
    return rows


def main():
    ap = argparse.ArgumentParser(description="score dnsblame against genload's truth")
    ap.add_argument("dnsblame")
    ap.add_argument("capture")
    ap.add_argument("truth")
    ap.add_argument("--min", type=float, default=97.0, help="cause agreement threshold, percent (default 97)")
    ap.add_argument("--json", help="read this JSON report instead of running dnsblame")
    ap.add_argument("--save-json", help="keep dnsblame's JSON report here")
    ap.add_argument("--grace", type=float, default=12.0,
                    help="no-answer queries this close to the capture's end are not scored (default 12 s)")
    ap.add_argument("--window", type=float, default=10.0,
                    help="seconds between a verdict's query time and the truth's (default 10)")
    a = ap.parse_args()

    truth = load_truth(a.truth)
    elapsed = None
    if a.json:
        with open(a.json) as f:
            doc = json.load(f)
    else:
        t0 = time.monotonic()
        p = subprocess.run([a.dnsblame, "-r", a.capture, "--format", "json"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        elapsed = time.monotonic() - t0
        if p.returncode not in (0, 4):
            sys.stderr.write(p.stderr.decode(errors="replace"))
            print(f"score: {a.dnsblame} exited with status {p.returncode}")
            return 2
        if a.save_json:
            with open(a.save_json, "wb") as f:
                f.write(p.stdout)
        doc = json.loads(p.stdout)

    # A query the resolver never answered is only known as such once the
    # capture has gone on long enough after it (a resolver keeps trying for
    # seconds): those asked within --grace of the capture's end are left out.
    cap = doc.get("capture", {})
    last = parse_ts(cap["last_ts"]) if cap.get("last_ts") else max((r["time"] for r in truth), default=0)
    pending = [r for r in truth if r["received"] == "no-answer" and r["time"] > last - a.grace]
    truth = [r for r in truth if not (r["received"] == "no-answer" and r["time"] > last - a.grace)]
    pend_keys = {(r["client"], r["port"], r["id"], r["qname"], r["qtype"]) for r in pending}

    verdicts = []
    for arr, received in (("servfails", "SERVFAIL"), ("unanswered", "no-answer")):
        for v in doc.get(arr) or []:
            verdicts.append((received, v))

    by_key = collections.defaultdict(list)
    for i, r in enumerate(truth):
        by_key[(r["client"], r["port"], r["id"])].append(i)

    matched = {}  # truth index -> (received, verdict)
    false_v = []
    for received, v in verdicts:
        key = (v.get("client"), v.get("client_port"), v.get("id"))
        qt = v.get("query_time")
        vt = parse_ts(qt or v.get("time"))
        best, best_d = None, None
        for i in by_key.get(key, ()):
            if i in matched:
                continue
            r = truth[i]
            if norm_name(v.get("qname")) != r["qname"] or (v.get("qtype") or "").upper() != r["qtype"]:
                continue
            d = vt - r["time"]
            # without query_time the verdict's time is the answer's, which follows the query
            ok = abs(d) <= a.window if qt else -1.0 <= d <= a.window + 30.0
            if ok and (best is None or abs(d) < best_d):
                best, best_d = i, abs(d)
        if best is None:
            if (key + (norm_name(v.get("qname")), (v.get("qtype") or "").upper())) not in pend_keys:
                false_v.append((received, v))
        else:
            matched[best] = (received, v)

    n = len(truth)
    per = collections.OrderedDict()
    for c in ("timeout", "blocked_port", "truncation", "dnssec_validation", "upstream_error",
              "no_upstream", "unknown"):
        per[c] = collections.Counter()
    instead = collections.defaultdict(collections.Counter)
    via_n = via_ok = via_absent = 0
    via_conf = collections.Counter()
    recv_bad = 0
    cause_ok = 0
    by_via = collections.defaultdict(collections.Counter)
    for i, r in enumerate(truth):
        c = per.setdefault(r["cause"], collections.Counter())
        c["n"] += 1
        by_via[r["via"]]["n"] += 1
        m = matched.get(i)
        if not m:
            c["missing"] += 1
            by_via[r["via"]]["missing"] += 1
            instead[r["cause"]]["(missing)"] += 1
            continue
        received, v = m
        if received != r["received"]:
            recv_bad += 1
        if v.get("cause") == r["cause"]:
            c["cause"] += 1
            cause_ok += 1
            by_via[r["via"]]["cause"] += 1
            if (v.get("detail") or "-") == r["detail"] or r["detail"] == "-":
                c["detail"] += 1
        else:
            instead[r["cause"]]["%s/%s" % (v.get("cause"), v.get("detail"))] += 1
        if "via" in v:
            via_n += 1
            if v["via"] == r["via"]:
                via_ok += 1
            else:
                via_conf["%s->%s" % (r["via"], v["via"])] += 1
        else:
            via_absent += 1

    pct = lambda x, y: 100.0 * x / y if y else 100.0
    agreement = pct(cause_ok, n)
    print(f"capture: {a.capture}: {cap.get('packets', '?')} packets, {cap.get('dns_messages', '?')} DNS messages"
          + (f"; dnsblame ran {elapsed:.2f} s" if elapsed is not None else ""))
    print(f"truth: {n} failed client queries "
          f"({sum(1 for r in truth if r['received'] == 'SERVFAIL')} SERVFAIL, "
          f"{sum(1 for r in truth if r['received'] == 'no-answer')} no answer; "
          f"{len(pending)} more no-answer within {a.grace:g} s of the capture's end not scored); "
          f"dnsblame: {len(verdicts)} verdicts")
    print(f"cause agreement: {agreement:.2f}% ({cause_ok}/{n})")
    print(f"  {'cause':<18} {'truth':>7} {'cause ok':>9} {'detail ok':>10} {'missing':>8}  given instead")
    for cname, c in per.items():
        if not c["n"]:
            continue
        inst = ", ".join(f"{k} {v}" for k, v in instead[cname].most_common(4))
        print(f"  {cname:<18} {c['n']:>7} {pct(c['cause'], c['n']):>8.1f}% {pct(c['detail'], c['n']):>9.1f}% "
              f"{c['missing']:>8}  {inst}")
    print("  by truth via:   " + ", ".join(
        f"{k} {pct(c['cause'], c['n']):.1f}% of {c['n']} ({c['missing']} missing)" for k, c in sorted(by_via.items())))
    if via_n:
        print(f"via agreement: {pct(via_ok, via_n):.2f}% ({via_ok}/{via_n} matched verdicts with via)"
              + (f"; mismatches: " + ", ".join(f"{k} {v}" for k, v in via_conf.most_common(6)) if via_conf else ""))
    else:
        print("via agreement: n/a (the verdicts carry no via)")
    if via_absent and via_n:
        print(f"  {via_absent} matched verdicts without via")
    print(f"SERVFAIL/no-answer disagreement: {recv_bad} of {len(matched)} matched verdicts")
    print(f"false verdicts: {len(false_v)} (verdicts for queries the truth says were healthy or unknown)")
    for received, v in false_v[:5]:
        print(f"  {received} {v.get('time')} {v.get('client')}#{v.get('client_port')} id {v.get('id')} "
              f"{v.get('qname')} {v.get('qtype')}: {v.get('cause')}/{v.get('detail')}")
    print(f"missing verdicts: {n - len(matched)} ({pct(n - len(matched), n):.2f}%)")
    if agreement < a.min:
        print(f"FAIL: cause agreement {agreement:.2f}% < {a.min:g}%")
        return 1
    print(f"PASS: cause agreement {agreement:.2f}% >= {a.min:g}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
