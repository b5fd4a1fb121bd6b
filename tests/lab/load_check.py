#!/usr/bin/env python3
"""Attribution accuracy under mixed load (pcaps/lab/load: make.sh LAB_MODE=load).

    python3 tests/lab/load_check.py [path/to/dnsblame] [--dir DIR] [--misses N]

For every DIR/<resolver>.pcap with its <resolver>.truth.tsv (load_truth.py:
one line per client query, keyed by client, client_port and DNS id; the
true cause of every failure is the root cause of the fault its name finally
lands in, repeats included), run `dnsblame -r PCAP --format json` and score,
per resolver:
  1. SERVFAILs with the true cause: gate >= 98%;
  2. no false SERVFAIL: every SERVFAIL verdict is a SERVFAIL the client
     received, and every SERVFAIL received has a verdict (gate: none wrong);
  3. DNSSEC failures (truth cause dnssec_validation, SERVFAIL or never
     answered) with the true detail: gate >= 95%;
  4. never-answered queries with the true cause (in `unanswered`): gate >= 95%;
  5. `via` agreement where the truth has one, and verdicts with a `repeats`
     pointer: informational.
Every miss is printed (qname, truth, verdict; --misses N prints only the
first N per resolver), then the miss categories with their counts. Closing
line: "load: N passed, N failed"; exit status 1 if any gate fails.
"""
import argparse
import collections
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
GATE_CAUSE, GATE_DNSSEC, GATE_UNANSWERED = 0.98, 0.95, 0.95


def norm(name):
    name = name.strip().lower()
    return name if name.endswith(".") else name + "."


def read_truth(path):
    rows, header = [], None
    with open(path) as f:
        for line in f:
            r = line.rstrip("\n").split("\t")
            if header is None and r[0].lstrip("# ") == "time":
                header = [r[0].lstrip("# ")] + r[1:]
                continue
            if not r or r[0].startswith("#") or header is None:
                continue
            rows.append(dict(zip(header, r)))
    return rows


def run(binary, pcap):
    cmd = [binary, "-r", pcap, "--format", "json"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        raise RuntimeError("%s exited %d: %s" % (" ".join(cmd), p.returncode, p.stderr.strip()[-500:]))
    return json.loads(p.stdout)


def verdicts(rep, section):
    out = {}
    for v in rep.get(section, []):
        out[(v["client"], int(v["client_port"]), int(v["id"]))] = v
    return out


def pct(a, b):
    return 100.0 * a / b if b else 100.0


def cd(v):
    return "%s/%s" % (v.get("cause", "?"), v.get("detail", "?"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("binary", nargs="?", default=os.path.join(ROOT, "build", "dnsblame"))
    ap.add_argument("--dir", default=os.path.join(ROOT, "pcaps", "lab", "load"))
    ap.add_argument("--misses", type=int, default=-1, help="print at most N misses per resolver (default all)")
    args = ap.parse_args()
    caps = sorted(f[:-5] for f in os.listdir(args.dir) if f.endswith(".pcap")
                  and os.path.exists(os.path.join(args.dir, f[:-5] + ".truth.tsv"))) if os.path.isdir(args.dir) else []
    if not caps:
        print("load: no captures with truth in %s (LAB_MODE=load pcaps/lab/make.sh)" % args.dir)
        print("load: 0 passed, 1 failed")
        return 1
    passed = failed = 0
    for res in caps:
        truth = read_truth(os.path.join(args.dir, res + ".truth.tsv"))
        rep = run(args.binary, os.path.join(args.dir, res + ".pcap"))
        sf, un = verdicts(rep, "servfails"), verdicts(rep, "unanswered")
        tk = {(t["client"], int(t["client_port"]), int(t["id"])): t for t in truth}
        misses, cats = [], collections.Counter()
        n_sf = ok_sf = n_dn = ok_dn = n_un = ok_un = n_via = ok_via = with_rep = 0
        no_verdict = false_sf = false_un = 0

        def miss(kind, t, v):
            tv = "%s/%s via %s" % (t["cause"], t["detail"], t.get("via", "-"))
            vv = ("%s via %s" % (cd(v), v.get("via", "-"))) if v else "none"
            misses.append("%s %s %s %s:%s id %s (%s, %s): truth %s, verdict %s" % (
                kind, t["qname"], t["qtype"], t["client"], t["client_port"], t["id"], t["received"],
                t.get("kind", "-"), tv, vv))
            cats["%s %s: truth %s/%s -> verdict %s" % (kind, t["received"], t["cause"], t["detail"],
                                                      cd(v) if v else "none")] += 1

        for k, t in tk.items():
            rec = t["received"].upper()
            if rec == "SERVFAIL":
                n_sf += 1
                v = sf.get(k)
                if v is not None and norm(v["qname"]) != norm(t["qname"]):
                    v = None
                if v is None:
                    no_verdict += 1
                    miss("NO-VERDICT", t, None)
                else:
                    if v.get("repeats"):
                        with_rep += 1
                    if t.get("via", "-") not in ("-", ""):
                        n_via += 1
                        ok_via += v.get("via") == t["via"]
                    if v["cause"] == t["cause"]:
                        ok_sf += 1
                    else:
                        miss("CAUSE", t, v)
            elif rec == "NO-ANSWER":
                n_un += 1
                v = un.get(k)
                if v is not None and v["cause"] == t["cause"]:
                    ok_un += 1
                else:
                    miss("UNANSWERED", t, v)
                if k in sf:
                    false_sf += 1
                    miss("FALSE-SERVFAIL", t, sf[k])
            else:
                if k in sf:
                    false_sf += 1
                    miss("FALSE-SERVFAIL", t, sf[k])
                if k in un:
                    false_un += 1
            if t["cause"] == "dnssec_validation" and rec in ("SERVFAIL", "NO-ANSWER"):
                n_dn += 1
                v = (sf if rec == "SERVFAIL" else un).get(k)
                if v is not None and v["cause"] == t["cause"] and v.get("detail") == t["detail"]:
                    ok_dn += 1
                elif v is not None and v["cause"] == t["cause"]:
                    miss("DNSSEC-DETAIL", t, v)
        for k, v in sf.items():
            if k not in tk:
                false_sf += 1
                misses.append("FALSE-SERVFAIL %s %s %s:%s id %s: no such client query in the truth" % (
                    v["qname"], v["qtype"], k[0], k[1], k[2]))
                cats["FALSE-SERVFAIL: not a client query of the truth"] += 1

        gates = [("SERVFAIL cause", ok_sf, n_sf, GATE_CAUSE),
                 ("DNSSEC detail", ok_dn, n_dn, GATE_DNSSEC),
                 ("unanswered cause", ok_un, n_un, GATE_UNANSWERED)]
        print("load %-8s %d client queries: %d SERVFAIL, %d unanswered (truth); dnsblame: %d servfails, %d unanswered" % (
            res, len(truth), n_sf, n_un, len(sf), len(un)))
        for name, ok, n, gate in gates:
            good = (ok / n if n else 1.0) >= gate
            print("load %-8s %-17s %5d/%-5d %6.1f%%  (gate %d%%) %s" % (res, name, ok, n, pct(ok, n), 100 * gate,
                                                                     "ok" if good else "FAIL"))
            passed, failed = (passed + 1, failed) if good else (passed, failed + 1)
        good = false_sf == 0 and no_verdict == 0
        print("load %-8s no false SERVFAIL: %d SERVFAIL verdicts for queries not answered SERVFAIL, "
              "%d SERVFAILs without a verdict  %s" % (res, false_sf, no_verdict, "ok" if good else "FAIL"))
        passed, failed = (passed + 1, failed) if good else (passed, failed + 1)
        print("load %-8s via (informational): %d/%d (%.1f%%) SERVFAIL verdicts name the truth's via; "
              "%d carry `repeats`; %d unanswered verdicts for answered queries" % (
                  res, ok_via, n_via, pct(ok_via, n_via), with_rep, false_un))
        shown = misses if args.misses < 0 else misses[:args.misses]
        for m in shown:
            print("    " + m)
        if len(shown) < len(misses):
            print("    ... %d more misses" % (len(misses) - len(shown)))
        if cats:
            print("load %-8s miss categories:" % res)
            for c, n in cats.most_common():
                print("    %5d  %s" % (n, c))
    print("load: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
